import { describe, expect, it } from 'vitest';
import { ConfigError, createService, loadConfig } from '../../src/service/index.js';
import { startService } from './helpers.js';

describe('loadConfig', () => {
  it('has a default for everything: an empty environment is valid', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8080,
      adminPort: 9090,
      adminHost: '127.0.0.1',
      adminToken: undefined,
      requestTimeoutMs: 10_000,
      logLevel: 'info',
      logFormat: 'json',
      workers: 1,
      otlpEndpoint: undefined,
      implicitContext: true,
      maxInflight: 1000,
      adaptiveConcurrency: false,
      adaptiveMinInflight: 4,
    });
  });

  it('reads durations, numbers and enums; empty strings count as unset', () => {
    const config = loadConfig({
      PORT: '0',
      REQUEST_TIMEOUT: '2s',
      DRAIN_DELAY: '250ms',
      MAX_INFLIGHT: '64',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
      WORKERS: 'auto',
      ADMIN_TOKEN: '',
      IMPLICIT_CONTEXT: 'off',
      ADAPTIVE_CONCURRENCY: 'on',
    });
    expect(config).toMatchObject({
      port: 0,
      requestTimeoutMs: 2000,
      drainDelayMs: 250,
      maxInflight: 64,
      logLevel: 'debug',
      logFormat: 'pretty',
      workers: 'auto',
      adminToken: undefined,
      implicitContext: false,
      adaptiveConcurrency: true,
    });
    expect(() => loadConfig({ IMPLICIT_CONTEXT: 'no' })).toThrow(/^invalid IMPLICIT_CONTEXT: /);
    expect(() => loadConfig({ ADAPTIVE_CONCURRENCY: 'yes' })).toThrow(/^invalid ADAPTIVE_CONCURRENCY: /);
  });

  it.each([
    ['PORT', '70000', 'invalid PORT: expected an integer 0-65535, got "70000"'],
    ['ADMIN_PORT', '-1', 'invalid ADMIN_PORT: expected an integer 0-65535, got "-1"'],
    [
      'REQUEST_TIMEOUT',
      'soon',
      'invalid REQUEST_TIMEOUT: expected a duration such as 500ms, 10s, 2m, got "soon"',
    ],
    ['MAX_INFLIGHT', '1.5', 'invalid MAX_INFLIGHT: expected an integer 0-1000000, got "1.5"'],
    ['LOG_LEVEL', 'loud', 'invalid LOG_LEVEL'],
    ['LOG_FORMAT', 'xml', 'invalid LOG_FORMAT'],
    ['WORKERS', 'many', 'invalid WORKERS: expected "auto" or a positive integer, got "many"'],
    ['WORKERS', '0', 'invalid WORKERS'],
    [
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'collector:4318',
      'invalid OTEL_EXPORTER_OTLP_ENDPOINT: expected an http(s) URL',
    ],
  ])('rejects %s=%s with one line naming the variable', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text.startsWith(message)).toBe(true);
    expect(text).toContain(JSON.stringify(value));
    expect(text).not.toContain('\n');
  });

  it('APP_ENV=production refuses a non-loopback ADMIN_HOST without ADMIN_TOKEN, and a placeholder token', () => {
    const production = (env: Record<string, string>) => () => loadConfig({ APP_ENV: 'production', ...env });
    expect(production({ ADMIN_HOST: '0.0.0.0' })).toThrow(
      new ConfigError(
        'invalid ADMIN_HOST: "0.0.0.0" is not loopback and ADMIN_TOKEN is unset (APP_ENV=production): ' +
          'set ADMIN_TOKEN or bind the admin port to 127.0.0.1',
      ),
    );
    for (const host of ['10.0.0.7', '::', 'admin.internal', '128.0.0.1']) {
      expect(production({ ADMIN_HOST: host }), host).toThrow(/^invalid ADMIN_HOST/);
    }
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(production({ ADMIN_HOST: host })().adminHost, host).toBe(host);
    }
    expect(production({ ADMIN_HOST: '0.0.0.0', ADMIN_TOKEN: 's3cr3t-t0ken' })().appEnv).toBe('production');
    expect(production({ ADMIN_TOKEN: 'change-me-admin-token' })).toThrow(
      /^invalid ADMIN_TOKEN: the placeholder/,
    );
    expect(loadConfig({ ADMIN_HOST: '0.0.0.0', ADMIN_TOKEN: 'change-me' }).appEnv).toBe('development');
  });

  it('outside production, an open admin debug surface starts with a warning', async () => {
    const t = await startService(async () => {}, { ADMIN_HOST: '0.0.0.0' });
    try {
      const warning = t.logs.find(
        (l) => l.level === 40 && String(l.msg).startsWith('ADMIN_HOST is not loopback'),
      );
      expect(warning).toMatchObject({ adminHost: '0.0.0.0' });
    } finally {
      await t.service.close();
    }
    const safe = await startService(async () => {}, { ADMIN_TOKEN: 'token' });
    await safe.service.close();
    expect(safe.logs.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('makes createService throw the same ConfigError before anything starts', () => {
    expect(() => createService({ name: 'x', env: { LOG_LEVEL: 'loud' } })).toThrow(ConfigError);
  });
});
