/**
 * The environment YAES is started in when it runs under local load (the demo, the limits tests): development,
 * ephemeral public and admin ports on 127.0.0.1, and bcrypt at cost 4 (seed with `createPasswordHasher(4)`) so
 * logins do not dominate the profile.
 */

/**
 * `base` (usually `process.env`, so `DATABASE_URL` and the rest pass through) with YAES set up for a local load run,
 * logging at `logLevel`.
 * @example const { service } = await createYaes({ env: localLoadEnv(process.env, 'error') });
 */
export function localLoadEnv(base: NodeJS.ProcessEnv, logLevel: string): NodeJS.ProcessEnv {
  return {
    ...base,
    APP_ENV: 'development',
    PORT: '0',
    ADMIN_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: logLevel,
    BCRYPT_COST: '4',
  };
}
