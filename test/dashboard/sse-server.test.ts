/**
 * The dashboard's event server over real sockets: a late browser gets every event from the start (the per-second
 * ones capped), the stream ends after the last event on close, and nothing but the page and its stream is served.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { REPLAY_LIMIT, startEventServer } from '../../src/dashboard/sse-server.js';

/** `method path` against the server: status and body (the stream's body once the server ends it). */
function request(url: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The events of an SSE body, in order: name and parsed data. */
function events(body: string): { name: string; data: unknown }[] {
  return [...body.matchAll(/^event: (\S+)\ndata: (.*)$/gm)].map((m) => ({
    name: m[1] as string,
    data: JSON.parse(m[2] as string),
  }));
}

describe('dashboard event server', () => {
  it('replays the run to a late browser, the seconds capped at the last REPLAY_LIMIT, and ends the stream on close', async () => {
    const server = await startEventServer('127.0.0.1', 0, '<!doctype html><title>page</title>');
    server.publish('start', { title: 't' });
    for (let t = 1; t <= REPLAY_LIMIT + 5; t++) server.publish('second', { t });
    const stream = request(`${server.url}events`);
    // Sent after the browser connected: it arrives live.
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.publish('end', { figures: [] });
    await server.close();
    const { status, body } = await stream;
    expect(status).toBe(200);
    const got = events(body);
    expect(got[0]).toEqual({ name: 'start', data: { title: 't' } });
    const seconds = got.filter((e) => e.name === 'second').map((e) => (e.data as { t: number }).t);
    expect(seconds).toHaveLength(REPLAY_LIMIT);
    expect(seconds[0]).toBe(6);
    expect(seconds.at(-1)).toBe(REPLAY_LIMIT + 5);
    expect(got.at(-1)).toEqual({ name: 'end', data: { figures: [] } });
  });

  it('serves the page and its stream only', async () => {
    const server = await startEventServer('127.0.0.1', 0, '<!doctype html><title>page</title>');
    try {
      const page = await request(server.url);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>page</title>');
      expect((await request(`${server.url}report`)).status).toBe(404);
      expect((await request(server.url, 'POST')).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
