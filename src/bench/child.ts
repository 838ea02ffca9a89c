/**
 * Entry point of a benchmark process (`node --expose-gc --import tsx child.js '<request json>'`): loads one
 * benchmark file, then lists its benchmarks, or prepares one and serves sample requests until told to finish.
 */
import { pathToFileURL } from 'node:url';
import { type PreparedBench, prepare } from './measure.js';
import type { ChildCommand, ChildReply, ChildRequest } from './protocol.js';
import { registered } from './registry.js';

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function send(message: ChildReply, exit = false): void {
  if (!process.send) throw new Error('the benchmark process needs an IPC channel');
  process.send(message, () => {
    if (exit) process.exit(0);
  });
}

function serve(prepared: PreparedBench): void {
  process.on('message', (message: ChildCommand) => {
    const work =
      message.cmd === 'sample'
        ? prepared
            .sample(message.count)
            .then((nsPerOp): [ChildReply, boolean] => [{ type: 'samples', nsPerOp }, false])
        : prepared
            .finish()
            .then((heap): [ChildReply, boolean] => [
              { type: 'finished', heapBytesPerOp: heap.bytesPerOp, heapSamples: heap.samples },
              true,
            ]);
    work.then(
      ([reply, exit]) => send(reply, exit),
      (error: unknown) => send({ type: 'error', phase: 'run', error: describe(error) }, true),
    );
  });
}

async function main(request: ChildRequest): Promise<void> {
  try {
    await import(pathToFileURL(request.file).href);
  } catch (error) {
    return send({ type: 'error', phase: 'load', error: describe(error) }, true);
  }
  const all = registered();
  if (request.mode === 'list') {
    const benches = all.map((entry) => ({ name: entry.name, tags: entry.options.tags ?? [] }));
    return send({ type: 'list', benches }, true);
  }
  const entry = all.find((candidate) => candidate.name === request.name);
  if (!entry)
    return send({ type: 'error', phase: 'load', error: `no benchmark named "${request.name}"` }, true);
  try {
    const prepared = await prepare(entry, request.timeMs, request.clock, request.n);
    serve(prepared);
    send({ type: 'ready', n: prepared.n });
  } catch (error) {
    send({ type: 'error', phase: 'run', error: describe(error) }, true);
  }
}

await main(JSON.parse(process.argv[2] ?? '{}') as ChildRequest);
