/**
 * Serialises HTTP/1.1 requests: the request line, `Host` (the target's, or the caller's own `Host` header, as
 * wrk does), the other headers, `Content-Length` when there is a body, and the blank line.
 */

/** Whether a header list names `name` (case-insensitive). */
export function hasHeader(headers: readonly (readonly [string, string])[], name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some(([n]) => n.toLowerCase() === lower);
}

/**
 * The request line and headers up to and including the blank line. A `Host` header among `headers` replaces
 * `hostHeader`; a `Content-Length` among them is dropped when `bodyLength` is given (it is computed).
 * @example requestHead('GET', '/', '127.0.0.1:8080', [['Accept', '*\/*']], null)
 */
export function requestHead(
  method: string,
  path: string,
  hostHeader: string,
  headers: readonly (readonly [string, string])[],
  bodyLength: number | null,
): string {
  const host = headers.find(([name]) => name.toLowerCase() === 'host');
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${host ? host[1] : hostHeader}\r\n`;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'host' || (lower === 'content-length' && bodyLength !== null)) continue;
    head += `${name}: ${value}\r\n`;
  }
  if (bodyLength !== null) head += `Content-Length: ${bodyLength}\r\n`;
  return `${head}\r\n`;
}
