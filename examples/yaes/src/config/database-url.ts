/** Builds and redacts PostgreSQL connection URLs (the original logged its URL with the password). */

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
