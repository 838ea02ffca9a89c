/** Reads deploy/: every Kubernetes manifest (parsed with `yaml`) and the Dockerfile as instructions. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The repository's deploy/ folder. */
export const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), '../../../../deploy');

/** A Kubernetes object as parsed; tests narrow it to the kubernetes-models interface of its kind. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** One YAML document of deploy/k8s and the file it came from (relative to deploy/). */
export interface ManifestDoc {
  file: string;
  doc: Manifest;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * Every document of every `.yaml` under deploy/k8s.
 * @throws Error naming the file of the first YAML syntax error.
 */
export function loadManifests(): ManifestDoc[] {
  return walk(join(DEPLOY, 'k8s'))
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
        if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message}`);
        return { file: relative(DEPLOY, file), doc: d.toJS() as Manifest };
      }),
    );
}

/** One Dockerfile instruction: upper-cased keyword, arguments, and the stage it belongs to. */
export interface Instruction {
  op: string;
  args: string;
  stage: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
export function loadDockerfile(): Instruction[] {
  let stage = '';
  return readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      const args = rest.join(' ');
      if (op.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)$/i.exec(args)?.[1] ?? '';
      return { op: op.toUpperCase(), args, stage };
    });
}
