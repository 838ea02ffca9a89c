/** Builds, splits and redacts PostgreSQL connection URLs (the original logged its URL with the password). */

/** The DB_* parts of the environment. */
export interface DatabaseUrlParts {
  DB_USER?: string | undefined;
  DB_PASSWORD?: string | undefined;
  DB_HOST?: string | undefined;
  DB_PORT?: number | undefined;
  DB_NAME?: string | undefined;
  DB_SSL_MODE?: string | undefined;
}

/**
 * TLS to PostgreSQL: off, encrypted without checking the server's certificate, or encrypted and verified.
 * node-postgres cannot fall back from TLS to plain text as libpq does, so libpq's `sslmode` maps as:
 * `disable`/`allow` → off, `prefer`/`require` → no-verify, `verify-ca`/`verify-full` → verify.
 */
export type PostgresTls = 'off' | 'no-verify' | 'verify';

const TLS_BY_SSLMODE: Record<string, PostgresTls> = {
  disable: 'off',
  allow: 'off',
  prefer: 'no-verify',
  require: 'no-verify',
  'verify-ca': 'verify',
  'verify-full': 'verify',
};

/** The libpq `sslmode` values YAES accepts. */
export const SSL_MODES = Object.keys(TLS_BY_SSLMODE) as [string, ...string[]];

/**
 * Builds `postgres://user:pass@host:port/name?sslmode=…` from DB_* parts; undefined when DB_HOST is unset.
 * @example databaseUrlFromParts({ DB_HOST: 'db', DB_USER: 'yaes' }) // 'postgres://yaes@db:5432/yaes'
 */
export function databaseUrlFromParts(parts: DatabaseUrlParts): string | undefined {
  if (!parts.DB_HOST) return undefined;
  const url = new URL('postgres://localhost');
  url.hostname = parts.DB_HOST;
  url.port = String(parts.DB_PORT ?? 5432);
  url.username = encodeURIComponent(parts.DB_USER ?? 'postgres');
  if (parts.DB_PASSWORD) url.password = encodeURIComponent(parts.DB_PASSWORD);
  url.pathname = `/${encodeURIComponent(parts.DB_NAME ?? 'yaes')}`;
  if (parts.DB_SSL_MODE) url.searchParams.set('sslmode', parts.DB_SSL_MODE);
  return url.toString();
}

/**
 * Takes `sslmode` out of the URL and returns it as a {@link PostgresTls}. node-postgres would otherwise parse
 * `sslmode` itself and override the pool's `ssl` option (treating `require` as `verify-full`).
 * @throws Error for an unknown sslmode.
 * @example splitTls('postgres://h/db?sslmode=require') // { url: 'postgres://h/db', tls: 'no-verify' }
 */
export function splitTls(raw: string): { url: string; tls: PostgresTls } {
  const url = new URL(raw);
  const mode = url.searchParams.get('sslmode') ?? 'disable';
  const tls = TLS_BY_SSLMODE[mode];
  if (!tls) throw new Error(`sslmode must be one of ${SSL_MODES.join(', ')}, got "${mode}"`);
  for (const param of ['sslmode', 'ssl', 'uselibpqcompat']) url.searchParams.delete(param);
  return { url: url.toString(), tls };
}

/**
 * The URL with its password replaced by `***`, safe for logs.
 * @example redactUrl('postgres://u:secret@h/db') // 'postgres://u:***@h/db'
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}
