/** Paged lists on the wire: the query that asks for a page, and the `Link` header that points to the next. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Page } from '../repositories/types.js';
import { decode } from './decode.js';
import { PageQuery } from './schemas.js';

/** The page a request asks for (`?limit=&after=`); bad values or another parameter → 422. */
export function pageOf(req: FastifyRequest): Page {
  return decode(PageQuery, req.query);
}

/**
 * Sets `Link: <path?limit=N&after=LAST>; rel="next"` when `items` fill the page (a shorter page is the last).
 * @example linkNextPage(reply, '/payables', page, owed)
 */
export function linkNextPage(
  reply: FastifyReply,
  path: string,
  page: Page,
  items: readonly { id: number }[],
): void {
  const last = items.at(-1);
  if (last && items.length === page.limit) {
    reply.header('link', `<${path}?limit=${page.limit}&after=${last.id}>; rel="next"`);
  }
}
