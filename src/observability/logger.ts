import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys whose values are secrets wherever they appear in a log line. */
export const REDACTED_KEYS = ['authorization', 'x-plex-token', 'password', 'verificationCode', 'authToken', 'refreshToken', 'token', 'secret', 'pin'];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((key) => {
    const quoted = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const dot = quoted.startsWith('[') ? '' : '.';
    return [quoted, `*${dot}${quoted}`, `*.*${dot}${quoted}`];
  });
  return pino(
    {
      level,
      base: { service: 'plex-account-graphql' },
      redact: { paths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
