/**
 * Gives a worktree the head's installed dependencies without `npm ci`: a fresh `node_modules/` whose entries are
 * symlinks to the head's. Links that point inside the head checkout (the package's self-link such as
 * `node_modules/headroom-kit`, workspace packages) are re-pointed at the same path inside the worktree, so the base
 * ref's code is measured — not the head's.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

function linkEntry(source: string, target: string, headRoot: string, baseRoot: string): void {
  let destination = source;
  if (lstatSync(source).isSymbolicLink()) {
    const real = realpathSync(source);
    const inside = relative(headRoot, real);
    if (inside === '' || (!inside.startsWith(`..${sep}`) && inside !== '..')) {
      const mapped = join(baseRoot, inside);
      if (!existsSync(mapped)) return; // the package does not exist at the base ref
      destination = mapped;
    }
  }
  symlinkSync(destination, target);
}

/** Links `headRoot/node_modules/*` into `baseRoot/node_modules/` (one level into `@scope/` folders). */
export function linkNodeModules(headRoot: string, baseRoot: string): void {
  const from = join(headRoot, 'node_modules');
  if (!existsSync(from)) return;
  const realHead = realpathSync(headRoot);
  const to = join(baseRoot, 'node_modules');
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (name.startsWith('@') && lstatSync(source).isDirectory()) {
      mkdirSync(join(to, name), { recursive: true });
      for (const scoped of readdirSync(source)) {
        linkEntry(join(source, scoped), join(to, name, scoped), realHead, baseRoot);
      }
    } else {
      linkEntry(source, join(to, name), realHead, baseRoot);
    }
  }
}
