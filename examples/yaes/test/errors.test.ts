/**
 * Errors are mapped on purpose (the original turned every non-HTTP error into a 422 and lost the message): a
 * deliberate AppError keeps its status, a database data error becomes a 422 the client can act on, and
 * anything else is a logged 500 whose body leaks nothing — always one JSON body per response.
 */
import { createService } from 'headroom-kit/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { memoryRepositories } from '../src/repositories/memory/index.js';
import { rethrowDataError } from '../src/repositories/sql/database-errors.js';
import { yaesRoutes } from '../src/routes/index.js';
import { createServices } from '../src/services/index.js';
import { call } from './support/client.js';

describe('error mapping through the routes', () => {
  const logs: Record<string, unknown>[] = [];
  const repos = memoryRepositories();
  repos.users.listExcept = async () => {
    throw new Error('boom: connection string postgres://u:secret@db');
  };
  const service = createService({
    name: 'yaes-errors',
    env: { PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    routes: async (app) => {
      await app.register(yaesRoutes(createServices(loadConfig({ APP_ENV: 'test' }), repos)));
    },
    logDestination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  let url = '';
  beforeAll(async () => {
    url = (await service.listen()).url.replace(/\/$/, '');
  });
  afterAll(() => service.close());

  it('an unexpected error is a logged 500 with a generic JSON body (never a 422, never the message)', async () => {
    await call(url, 'POST', '/users', { body: { Username: 'u', MobileNumber: '1', Password: 'p' } });
    const login = await call<{ token: string }>(url, 'POST', '/login', {
      body: { Username: 'u', Password: 'p' },
    });
    const res = await call(url, 'GET', '/users', {
      token: login.body.token,
      headers: { 'x-request-id': 'req-500' },
    });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({ error: 'internal server error' });
    expect(res.text).not.toContain('secret');
    const logged = logs.find((l) => l.msg === 'unhandled error');
    expect(logged).toMatchObject({ reqId: 'req-500' });
  });

  it('a deliberate error keeps its status and message', async () => {
    const res = await call(url, 'POST', '/login', { body: { Username: 'nobody', Password: 'x' } });
    expect(res).toMatchObject({ status: 401, body: { error: 'invalid username or password' } });
  });
});

describe('rethrowDataError', () => {
  const mapped = (error: unknown) => {
    try {
      rethrowDataError(error);
    } catch (thrown) {
      return thrown;
    }
  };
  it.each([
    [{ code: '23505', constraint: 'users_username_key' }, 'username is already taken'],
    [
      { code: '23505', message: 'duplicate key value violates "users_mobile_number_key"' },
      'mobile number is already registered',
    ],
    [{ code: '23503' }, 'a referenced record does not exist'],
    [{ code: '22003' }, 'a number is out of range'],
    [{ code: '22021' }, 'invalid data'],
  ])('%o → 422 %s', (error, message) => {
    expect(mapped(error)).toMatchObject({ status: 422, message });
  });
  it('leaves every other error alone (it becomes a 500 upstream)', () => {
    const error = Object.assign(new Error('deadlock'), { code: '40P01' });
    expect(mapped(error)).toBe(error);
  });
});
