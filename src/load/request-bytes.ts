/** Serialises HTTP/1.1 requests: the head as text (Host first, then the given headers), the body as is. */

/** The request line and headers up to and including the blank line. */
export function requestHead(
  method: string,
  path: string,
  hostHeader: string,
  headers: Iterable<[string, string]>,
  bodyLength: number | null,
): string {
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  if (bodyLength !== null) head += `Content-Length: ${bodyLength}\r\n`;
  return `${head}\r\n`;
}

/** Whether a header list already names `name` (case-insensitive). */
export function hasHeader(headers: Iterable<[string, string]>, name: string): boolean {
  const lower = name.toLowerCase();
  for (const [n] of headers) if (n.toLowerCase() === lower) return true;
  return false;
}
