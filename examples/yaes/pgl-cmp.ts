import { readFileSync } from 'node:fs';
const { PGlite } = await import('@electric-sql/pglite');
const mode = process.argv[2];
const t = performance.now();
const db = mode === 'dump' ? new PGlite({ loadDataDir: new Blob([readFileSync('../../.yaes/pglite-0.4.6-empty.tar.gz')]) }) : new PGlite();
await db.waitReady;
console.log(`${mode} boot ${(performance.now() - t).toFixed(0)} ms`);
await db.close();
