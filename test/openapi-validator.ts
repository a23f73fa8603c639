import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { expect } from 'vitest';
import { parse } from 'yaml';

/** Validates bodies against the schemas of an OpenAPI 3.1 file, as test/simulator.test.ts does for the account API. */
export function openApiValidator(file: URL) {
  const spec = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // OAS 3.1 keeps `example`, `x-*` etc. next to JSON Schema keywords: strict mode would reject them.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (ajvFormats as unknown as { default: (a: Ajv2020) => Ajv2020 }).default(ajv);
  ajv.addSchema({ ...spec, $id: 'spec.json' });
  const cache = new Map<string, ValidateFunction>();

  function schemaAt(pointer: string): ValidateFunction {
    let validate = cache.get(pointer);
    if (validate === undefined) {
      validate = ajv.getSchema(`spec.json#${pointer}`);
      if (validate === undefined) throw new Error(`the spec has no schema at ${pointer}`);
      cache.set(pointer, validate);
    }
    return validate;
  }

  const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

  return {
    spec,
    response(path: string, method: string, status: number): ValidateFunction {
      return schemaAt(`/paths/${escape(path)}/${method}/responses/${status}/content/application~1json/schema`);
    },
    component(name: string): ValidateFunction {
      return schemaAt(`/components/schemas/${escape(name)}`);
    },
    expectResponse(body: unknown, path: string, method: string, status: number): void {
      const validate = this.response(path, method, status);
      expect(validate(body) ? [] : validate.errors, `${method.toUpperCase()} ${path} ${status}`).toEqual([]);
    },
    expectComponent(value: unknown, name: string): void {
      const validate = this.component(name);
      expect(validate(value) ? [] : validate.errors, name).toEqual([]);
    },
  };
}
