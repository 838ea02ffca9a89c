/**
 * Recording the process's trace events for `/debug/trace`: `node:trace_events` turns the categories on and Node's
 * own trace file writer puts the events into its file (`--trace-event-file-pattern`, by default
 * `node_trace.${rotation}.log` in the working directory); each recording reads back what it added and empties the
 * file again (it stays open in Node's writer, so it is truncated, not removed, until the process exits).
 *
 * Not through the inspector's `NodeTracing` domain, which cannot be made safe from JS (seen on Node 20.20 and
 * 24.21): Node re-parses the raw JSON it streams there, and an event named with a `"` — e.g.
 * `new AsyncResource('a"b')`, as any library may name one — makes that parse fail (Node 24: `Assertion failed:
 * status.ok()` in inspector_agent.cc, the process aborts; Node 20: the batch is dropped); and when the trace
 * buffer fills up just as tracing stops, that writer is flushed from two threads at once (Node 24 aborts, Node 20
 * segfaults). The file writer locks its stream and writes without parsing; the two things that can still stop it
 * — a path it cannot open (Node then hangs on the flush) and a full disk — are checked before each recording.
 */
import {
  closeSync,
  openSync,
  readSync,
  rmSync,
  type Stats,
  statfsSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createTracing, getEnabledCategories } from 'node:trace_events';

/**
 * Categories recorded: the event loop's phases, async resources and promises, GC and V8, with JS CPU samples,
 * HTTP, fs, DNS and network, user timing and timerify (`node` covers `node.environment` and the rest).
 */
const CATEGORIES = [
  'node',
  'node.async_hooks',
  'node.environment',
  'node.perf',
  'node.perf.usertiming',
  'node.perf.timerify',
  'node.promises.rejections',
  'node.fs.async',
  'node.dns.native',
  'node.net.native',
  'node.http',
  'v8',
  'disabled-by-default-v8.cpu_profiler',
];
/** Free disk space asked for per recorded second: a setImmediate loop with async hooks writes ~30 MB/s. */
const BYTES_PER_SECOND = 64 * 1024 * 1024;
/** Free disk space asked for besides. */
const MIN_FREE_BYTES = 256 * 1024 * 1024;
/** The largest trace served: more is refused (reading and checking it would take gigabytes of memory). */
const MAX_TRACE_BYTES = 256 * 1024 * 1024;
// biome-ignore lint/suspicious/noTemplateCurlyInString: Node's trace file pattern placeholders
const DEFAULT_PATTERN = 'node_trace.${rotation}.log';
// biome-ignore lint/suspicious/noTemplateCurlyInString: Node's trace file pattern placeholders
const PID = '${pid}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: Node's trace file pattern placeholders
const ROTATION = '${rotation}';

/** A recording that could not be made or served: `status` is the HTTP status to answer with. */
export class TraceError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A recorded trace: the trace events as JSON text (a comma-separated list) and the events that were malformed. */
export interface RecordedTrace {
  /** The trace events, each a JSON object, joined by commas (the inside of `traceEvents: [...]`). */
  readonly eventsJson: string;
  /** Events Node wrote as invalid JSON (a name with a `"` is written unescaped), left out. */
  readonly dropped: number;
}

/** Where Node's trace file writer is: the file it writes now, and how much of it earlier recordings consumed. */
interface WriterFile {
  readonly cwd: string;
  rotation: number;
  offset: number;
}

let writerFile: WriterFile | undefined;

/** The `--trace-event-file-pattern` the process was started with (flag or NODE_OPTIONS), else Node's default. */
export function traceFilePattern(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): string {
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    if (arg.startsWith('--trace-event-file-pattern=')) return arg.slice(arg.indexOf('=') + 1);
    if (arg === '--trace-event-file-pattern' && execArgv[i + 1] !== undefined)
      return execArgv[i + 1] as string;
  }
  const match = /--trace-event-file-pattern[= ](?:"([^"]*)"|'([^']*)'|(\S+))/.exec(nodeOptions);
  return match ? ((match[1] ?? match[2] ?? match[3]) as string) : DEFAULT_PATTERN;
}

/**
 * The flag for a cluster worker's command line: its own trace file in the temporary directory (workers share the
 * working directory, and Node's default file name has no pid), unless the process was given a pattern.
 */
export function workerTraceArgv(): string[] {
  if (traceFilePattern() !== DEFAULT_PATTERN) return [];
  return [`--trace-event-file-pattern=${join(tmpdir(), `headroom-trace-${PID}-${ROTATION}.log`)}`];
}

/** The file Node's writer opens for `rotation` (it resolves the pattern against the working directory). */
function filePath(file: WriterFile, rotation: number): string {
  const name = traceFilePattern().replaceAll(PID, String(process.pid)).replaceAll(ROTATION, String(rotation));
  return resolve(file.cwd, name);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function readRange(path: string, from: number, length: number): string {
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buffer, done, length - done, from + done);
      if (n === 0) break;
      done += n;
    }
    return buffer.toString('utf8', 0, done);
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses (409) unless Node's writer can open its file and the disk has room for `seconds` of events: the writer
 * hangs the process on a file it cannot open and aborts on a failed write.
 */
function checkWritable(seconds: number): WriterFile {
  const file: WriterFile = writerFile ?? { cwd: process.cwd(), rotation: 1, offset: 0 };
  if (process.cwd() !== file.cwd) {
    throw new TraceError(409, `the working directory changed since the trace file was opened in ${file.cwd}`);
  }
  const path = filePath(file, file.rotation);
  try {
    // The writer opens the first file at the first event: prove now that it can (it truncates it anyway).
    if (!writerFile) closeSync(openSync(path, 'w'));
    const { bavail, bsize } = statfsSync(dirname(path));
    const free = bavail * bsize;
    const needed = MIN_FREE_BYTES + seconds * BYTES_PER_SECOND;
    if (free < needed) {
      throw new TraceError(
        409,
        `not enough free disk space for the trace file ${path}: ${mib(free)} free, ${mib(needed)} needed`,
      );
    }
  } catch (error) {
    if (error instanceof TraceError) throw error;
    throw new TraceError(
      409,
      `cannot write the trace file ${path} (${(error as Error).message}): start the process with ` +
        `--trace-event-file-pattern=<writable directory>/trace-${PID}-${ROTATION}.log`,
    );
  }
  if (!writerFile) {
    writerFile = file;
    process.once('exit', () => rmSync(filePath(file, file.rotation), { force: true }));
  }
  return file;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/**
 * Reads what the writer added since the last recording (across rotated files, which are then removed) and empties
 * the file it still writes. `since` is when recording began: a next rotation file older than that is stale.
 */
function collect(file: WriterFile, since: number): { texts: string[]; bytes: number } {
  const texts: string[] = [];
  let bytes = 0;
  for (;;) {
    const current = filePath(file, file.rotation);
    const next = filePath(file, file.rotation + 1);
    const nextStat = next === current ? undefined : statOrUndefined(next);
    const rotated = nextStat !== undefined && nextStat.mtimeMs >= since;
    const size = statOrUndefined(current)?.size ?? 0;
    // Smaller than what was consumed: the writer re-created it (a pattern without ${rotation} rotates in place).
    const from = size < file.offset ? 0 : file.offset;
    bytes += size - from;
    if (bytes <= MAX_TRACE_BYTES && size > from) texts.push(readRange(current, from, size - from));
    if (rotated) {
      rmSync(current, { force: true });
      file.rotation += 1;
      file.offset = 0;
      continue;
    }
    // The writer writes on at its own position: truncating leaves a hole there, not data on disk.
    if (size > 0) truncateSync(current, 0);
    file.offset = size;
    return { texts, bytes };
  }
}

/** The events in one stretch of a trace file, as a comma-separated JSON list, leaving out malformed ones. */
function parseEvents(text: string): RecordedTrace {
  const body = text
    .replace(/^\{"traceEvents":\[/, '')
    .replace(/^,/, '')
    .replace(/\]\}\s*$/, '');
  if (body === '') return { eventsJson: '', dropped: 0 };
  try {
    JSON.parse(`[${body}]`);
    return { eventsJson: body, dropped: 0 };
  } catch {
    // Each event starts with {"pid": (V8's JSON trace writer), which a string inside an event cannot contain.
    const kept: string[] = [];
    let dropped = 0;
    for (const part of body.split(/,(?=\{"pid":)/)) {
      try {
        kept.push(JSON.stringify(JSON.parse(part)));
      } catch {
        dropped++;
      }
    }
    return { eventsJson: kept.join(','), dropped };
  }
}

/**
 * Records the process's trace events for `seconds` seconds. Throws {@link TraceError}: 409 when another tracer is
 * on (e.g. `--trace-event-categories`: its events share the file) or the trace file cannot be written, 413 when
 * the trace is larger than 256 MiB.
 */
export async function recordTrace(seconds: number): Promise<RecordedTrace> {
  const others = getEnabledCategories();
  if (others) throw new TraceError(409, `another tracer is recording (categories ${others})`);
  const file = checkWritable(seconds);
  const since = Date.now() - 1000;
  const tracing = createTracing({ categories: CATEGORIES });
  tracing.enable();
  try {
    await new Promise((done) => setTimeout(done, seconds * 1000));
  } finally {
    // Flushes: the events are in the file when this returns.
    tracing.disable();
  }
  const { texts, bytes } = collect(file, since);
  if (bytes > MAX_TRACE_BYTES) {
    throw new TraceError(
      413,
      `the trace is ${mib(bytes)}, more than ${mib(MAX_TRACE_BYTES)}: ask for fewer seconds`,
    );
  }
  const parts = texts.map(parseEvents);
  return {
    eventsJson: parts
      .map((part) => part.eventsJson)
      .filter((json) => json !== '')
      .join(','),
    dropped: parts.reduce((sum, part) => sum + part.dropped, 0),
  };
}
