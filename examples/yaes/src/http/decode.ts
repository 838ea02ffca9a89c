/**
 * Request decoding at the edge: zod schemas with PascalCase keys matched case-insensitively (as Go's
 * encoding/json does), unknown keys rejected, and one readable 422 message for the first problem.
 */
import { z } from 'zod';
import { invalid } from '../errors.js';

/**
 * A strict object schema whose keys match case-insensitively: `{"amount": 1}` fills `Amount`.
 * @example const Login = caseInsensitiveObject({ Username: z.string(), Password: z.string() })
 */
export function caseInsensitiveObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const canonical = new Map(Object.keys(shape).map((key) => [key.toLowerCase(), key]));
  return z.preprocess((value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const folded: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const name = canonical.get(key.toLowerCase()) ?? key;
      // A second spelling of the same field stays under its own name, so the strict check rejects it.
      folded[name in folded ? key : name] = v;
    }
    return folded;
  }, z.strictObject(shape));
}

/**
 * Parses `body` with `schema` or throws a 422 naming the first bad field.
 * @example const input = decode(Login, req.body)
 */
export function decode<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw invalid(`${where}${issue?.message ?? 'invalid request body'}`);
}
