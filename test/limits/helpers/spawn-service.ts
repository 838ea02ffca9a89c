/** Runs a service fixture in its own process and waits for the URLs it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface SpawnedService {
  url: string;
  adminUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const FIXTURE = fileURLToPath(new URL('../fixtures/cpu-service.ts', import.meta.url));

/** Runs the cpu-service fixture (HTTP `/work`). */
export function spawnCpuService(env: Record<string, string> = {}): Promise<SpawnedService> {
  return spawnFixture(FIXTURE, env);
}

/** Runs `fixture` (a module printing `{"url":…,"adminUrl":…}` once listening) in its own process. */
export async function spawnFixture(
  fixture: string,
  env: Record<string, string> = {},
): Promise<SpawnedService> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([
    once(child.stdout!, 'data'),
    once(child, 'exit').then(() => {
      throw new Error(`${fixture} exited before listening`);
    }),
  ])) as [Buffer];
  const { url, adminUrl } = JSON.parse(line.toString().split('\n')[0] as string) as {
    url: string;
    adminUrl: string;
  };
  return {
    url,
    adminUrl,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
