/**
 * The service logger: pino, JSON to stdout by default (pino's synchronous destination: no line lost on a
 * crash), `LOG_FORMAT=pretty` for humans (pino-pretty in a worker thread), secrets redacted by pino's own redaction.
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import type { ServiceConfig } from './config.js';

/**
 * Paths pino replaces with `[redacted]`: credentials at the top level of a log object, in `headers`, `req.headers`
 * and `body`. Explicit paths, no wildcards: pino's redaction cost grows with wildcard paths on every line.
 */
export const REDACT_PATHS = [
  'authorization',
  'cookie',
  'password',
  'token',
  'secret',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'body.password',
  'body.token',
];

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** The service name, bound to every line as `service`. */
  name: string;
  /** Where lines go instead of stdout (tests, benchmarks). Ignored with `LOG_FORMAT=pretty`. */
  destination?: DestinationStream | undefined;
}

/**
 * Builds the root logger from the config's level and format.
 * @example createLogger(config, { name: 'yaes' }).info('ready')
 */
export function createLogger(
  config: Pick<ServiceConfig, 'logLevel' | 'logFormat'>,
  options: LoggerOptions,
): Logger {
  const base = {
    level: config.logLevel,
    name: options.name,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (config.logFormat === 'pretty') {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
