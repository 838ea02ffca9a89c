/**
 * deploy/Dockerfile linted structurally (no Docker engine here): multi-stage on a pinned slim base, the
 * esbuild bundle, a non-root runtime with exec-form ENTRYPOINT and HEALTHCHECK, ports and probe path that
 * match the Deployment, and the commands the manifests run (`migrate.js`, `seed.js`) built into the image.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { describe, expect, it } from 'vitest';
import { DEPLOY, loadDockerfile, loadManifests } from '../support/manifests.js';

const instructions = loadDockerfile();
const stages = instructions.filter((i) => i.op === 'FROM');
const runtime = instructions.filter((i) => i.stage === stages.at(-1)?.stage);
const inStage = (stage: string, op: string) => instructions.filter((i) => i.stage === stage && i.op === op);
const lastOf = (op: string) => runtime.filter((i) => i.op === op).at(-1)?.args ?? '';
const deployment = loadManifests().find((m) => m.doc.kind === 'Deployment' && m.doc.metadata.name === 'yaes')
  ?.doc as unknown as IDeployment;
const yaes = deployment.spec?.template.spec?.containers.find((c) => c.name === 'yaes');

describe('Dockerfile', () => {
  it('is multi-stage, every stage named once, on a pinned slim Node 20 base', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const names = stages.map((s) => s.stage);
    expect(new Set(names).size).toBe(names.length);
    for (const from of stages) expect(from.args).toMatch(/^node:20\.\d+(\.\d+)?-[a-z]+-slim AS [a-z-]+$/);
  });

  it('copies only from stages defined earlier, never with ADD', () => {
    const seen = new Set<string>();
    for (const i of instructions) {
      if (i.op === 'FROM') seen.add(i.stage);
      const from = /--from=(\S+)/.exec(i.args)?.[1];
      if (i.op === 'COPY' && from) expect(seen, `COPY --from=${from} in ${i.stage}`).toContain(from);
    }
    expect(instructions.map((i) => i.op)).not.toContain('ADD');
  });

  it('installs from the lock file and bundles YAES with esbuild into main.js, migrate.js and seed.js', () => {
    const build = stages[0]?.stage ?? '';
    const runs = inStage(build, 'RUN').map((i) => i.args);
    expect(runs.join('\n')).toMatch(/npm ci\b/);
    expect(runs.join('\n')).toContain('npm run bundle -w examples/yaes');
    const bundle = readFileSync(join(DEPLOY, '../examples/yaes/scripts/bundle.ts'), 'utf8');
    expect(bundle).toMatch(
      /main: 'src\/main\.ts', migrate: 'src\/cli\/migrate\.ts', seed: 'src\/cli\/seed\.ts'/,
    );
    expect(bundle).toMatch(/bundle: true/);
  });

  it('runs the default target as non-root with an exec-form ENTRYPOINT (SIGTERM reaches node)', () => {
    const ops = runtime.map((i) => i.op);
    expect(ops).toContain('USER');
    expect(lastOf('USER')).not.toMatch(/^(root|0)(:|$)/);
    expect(ops.indexOf('USER')).toBeLessThan(ops.indexOf('ENTRYPOINT'));
    expect(JSON.parse(lastOf('ENTRYPOINT'))[0]).toBe('node');
    expect(JSON.parse(lastOf('CMD'))).toEqual(['main.js']);
    expect(yaes?.args).toEqual(['main.js']);
  });

  it('has an exec-form HEALTHCHECK on the liveness path and exposes the Deployment ports', () => {
    const healthcheck = lastOf('HEALTHCHECK');
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3)) as string[];
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain(yaes?.livenessProbe?.httpGet?.path ?? '/nowhere');
    expect(lastOf('EXPOSE').split(/\s+/).map(Number)).toEqual(yaes?.ports?.map((p) => p.containerPort));
  });

  it('keeps node_modules, build output and reports out of the build context', () => {
    const ignore = readFileSync(join(DEPLOY, 'Dockerfile.dockerignore'), 'utf8');
    for (const entry of ['**/node_modules', '**/dist', '**/reports', '.git']) expect(ignore).toContain(entry);
  });
});
