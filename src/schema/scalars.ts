import type { GraphQLScalarType } from 'graphql';
import { CountryCodeResolver, EmailAddressResolver, URLResolver } from 'graphql-scalars';

// plex.tv does not promise these strings are well formed; a value that does not fit its scalar becomes null instead of
// failing the whole request.
function fitting(scalar: GraphQLScalarType) {
  return (value: string | null | undefined): string | null => {
    if (value === null || value === undefined || value === '') return null;
    try {
      scalar.serialize(value);
      return value;
    } catch {
      return null;
    }
  };
}

export const emailOrNull = fitting(EmailAddressResolver);
export const urlOrNull = fitting(URLResolver);
export const countryOrNull = fitting(CountryCodeResolver);

/**
 * A field's description with when it is null. Fields of plex.tv's account bodies (all but `id` and `uuid`) are null
 * when plex.tv sends a value of an unexpected type: one changed field must not take the whole account down
 * (docs/api.md, "Fields that can be null").
 */
export function nullWhen(description: string, when?: string): string {
  return when === undefined
    ? `${description} Null when plex.tv sends a value of an unexpected type.`
    : `${description} Null ${when}, or when plex.tv sends a value of an unexpected type.`;
}
