/**
 * The one flag grammar of every subcommand: values (counts and rates with SI suffixes, durations where a bare
 * number is seconds as in wrk, percentages, headers), the shared options (`--json` switch, `-o/--output`,
 * `--html`, `--threshold`, `--no-progress`) and what they do (write outputs, print progress), and the run's
 * interruption (Ctrl-C / SIGTERM → a cancelled context, then exit 130).
 */
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { background, type Context, withCancel } from '../context/index.js';
import { ExitCode, UsageError } from '../errors.js';
import { parseDuration } from '../units/duration.js';
import { parseSi } from '../units/si.js';

/** A positive whole count with an optional SI suffix (`-c 1k`, `-n 10k`). For commander's argParser. */
export function countArg(text: string): number {
  const n = parseSi(text);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a positive integer, e.g. 64 or 1k');
  return n;
}

/** A positive rate with an optional SI suffix (`-R 10k`, `-R 2.5k`, `-R 0.5`). For commander's argParser. */
export function rateArg(text: string): number {
  const n = parseSi(text);
  if (!(n > 0) || !Number.isFinite(n))
    throw new InvalidArgumentError('expected a number above 0, e.g. 500 or 10k');
  return n;
}

/** `K/N` (0 ≤ K < N): one agent's segment of a run spread over N agents (`--segment`). For commander's argParser. */
export function segmentArg(text: string): { index: number; count: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count)
    throw new InvalidArgumentError('expected K/N with 0 ≤ K < N, e.g. 0/4 (K as JOB_COMPLETION_INDEX)');
  return { index, count };
}

/**
 * An instant as epoch ms: a unix time in milliseconds (`1767225600000`) or an RFC 3339 date-time with its offset
 * (`2026-01-01T00:00:00Z`, `2026-01-01T01:00:00.5+01:00`). For commander's argParser.
 */
export function instantArg(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
  const ms = rfc3339.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(ms))
    throw new InvalidArgumentError('expected unix ms or an RFC 3339 time, e.g. 2026-01-01T12:00:00Z');
  return ms;
}

/** `host:port` to listen on (`:port` = every interface, `[::1]:port` for IPv6; port 0 picks one). */
export function listenArg(text: string): { host: string; port: number } {
  const match = /^\s*(?:\[([^\]]+)\]|([^:\s]*)):(\d{1,5})\s*$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new InvalidArgumentError('expected host:port, e.g. 0.0.0.0:47000 or :47000');
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** A duration in ms: `500ms`, `10s`, `2m`, `1m30s`; a bare number is seconds, as in wrk. */
export function durationMs(text: string): number {
  const trimmed = text.trim();
  return /^\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : parseDuration(trimmed);
}

/** `durationMs` for commander's argParser (a bad value is one line naming the flag). */
export function durationArg(text: string): number {
  try {
    return durationMs(text);
  } catch {
    throw new InvalidArgumentError('expected a duration such as 500ms, 10s, 2m (a bare number is seconds)');
  }
}

/**
 * A duration option (a bare number is seconds) whose default, if any, --help shows as written (`10s`), not in ms.
 * @example command.addOption(durationOption('-d, --duration <duration>', 'measured duration', '10s'))
 */
export function durationOption(flags: string, description: string, fallback?: string): Option {
  const option = new Option(flags, `${description}; a bare number is seconds`).argParser(durationArg);
  return fallback === undefined ? option : option.default(durationMs(fallback), fallback);
}

/** A fraction from `5%` or `0.05`, strictly between 0 and 1. For commander's argParser. */
export function fractionArg(text: string): number {
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  const value = percent ? Number(percent[1]) / 100 : Number(text);
  if (!(value > 0 && value < 1)) throw new InvalidArgumentError('expected a share such as 5% or 0.05');
  return value;
}

/** Appends a repeatable option's value (no default shown in --help). */
export function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `['Name: value', …]` → a header record. @throws UsageError for a line without a name. */
export function parseHeaders(lines: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines ?? []) {
    const colon = line.indexOf(':');
    if (colon < 1)
      throw new UsageError(`invalid header "${line}" (use -H 'name: value')`, { option: 'header' });
    out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** The shared output flags: `--json` (switch), `-o/--output FILE`, and `--html FILE` where the command has a page. */
export interface OutputFlags {
  json?: boolean;
  output?: string;
  html?: string;
}

/** Adds `--json` and `-o/--output` (and `--html` unless `html` is false) with the same words everywhere. */
export function addOutputOptions(command: Command, schema: string, html = true): Command {
  command
    .option('--json', `print the ${schema} JSON result on stdout (the summary goes to stderr)`)
    .option('-o, --output <file>', `write the ${schema} JSON result to a file`);
  if (html) command.option('--html <file>', 'write a self-contained HTML report');
  return command;
}

/** Adds the repeatable `--threshold` (k6-style: exit 1 unless every one holds). */
export function addThresholdOption(command: Command): Command {
  return command.option(
    '--threshold <expr>',
    "fail (exit 1) unless it holds, e.g. 'p99<50ms', 'errors<1%', 'rps>1k' (repeatable)",
    repeatable,
  );
}

/** Adds one `Example:` line to a command's --help. */
export function addExample(command: Command, example: string): Command {
  return command.addHelpText('after', `\nExample:\n  $ ${example}\n`);
}

/**
 * Checks, before any work, that every output file can be written (its folder exists and is writable, and the
 * file, if present, is a writable file): an unwritable path is bad input, found before a long run, not after.
 * @throws UsageError (code `unwritable-file`) naming the path and the reason.
 */
export function assertWritable(files: readonly (string | undefined)[]): void {
  for (const file of files) {
    if (file === undefined) continue;
    const dir = path.dirname(path.resolve(file));
    let reason: string | null = null;
    if (!existsSync(dir)) reason = `no such folder ${dir}`;
    else if (existsSync(file) && statSync(file).isDirectory()) reason = 'it is a folder';
    else {
      try {
        accessSync(existsSync(file) ? file : dir, constants.W_OK);
      } catch (error) {
        reason = (error as NodeJS.ErrnoException).code ?? 'not writable';
      }
    }
    if (reason) throw new UsageError(`cannot write ${file}: ${reason}`, { code: 'unwritable-file' });
  }
}

/** Writes an output file. @throws UsageError (code `unwritable-file`) when the write fails. */
export function writeOutput(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new UsageError(
      `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        code: 'unwritable-file',
      },
    );
  }
}

/** What a command produced, for `emitResult`. */
export interface Emitted {
  /** The human summary (stdout, or stderr under `--json`). */
  summary: string;
  /** The JSON result, serialised lazily. */
  result: unknown;
  /** The HTML page, rendered only when `--html` asks for it. */
  html?: () => string;
}

/**
 * Prints and writes a result the same way in every command: the summary on stdout (stderr under `--json`, which
 * puts the JSON on stdout), the JSON to `-o`, the page to `--html`.
 */
export function emitResult(flags: OutputFlags, emitted: Emitted): void {
  const json = `${JSON.stringify(emitted.result, null, 2)}\n`;
  if (flags.json) {
    process.stderr.write(emitted.summary);
    process.stdout.write(json);
  } else process.stdout.write(emitted.summary);
  if (flags.output) writeOutput(flags.output, json);
  if (flags.html && emitted.html) writeOutput(flags.html, emitted.html());
}

/** Live progress: redrawn in place on a TTY, a plain line every 10 s otherwise (CI logs), nothing when off. */
export interface Progress {
  /** Whether updates are redrawn in place (a terminal): a multi-line block may be offered then. */
  readonly live: boolean;
  /**
   * Offers the current status: drawn now over the previous one (TTY; several lines allowed), or as one line
   * when the next 10-s mark has passed (not a TTY).
   */
  update(text: string): void;
  /** Clears the live block (TTY) before the summary is printed. */
  done(): void;
}

/** Whether a live terminal view may use colours: not with NO_COLOR set (no-color.org) or TERM=dumb. */
export function wantsColor(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

/** The interval of plain progress lines when stderr is not a terminal. */
export const PLAIN_PROGRESS_INTERVAL_MS = 10_000;

/**
 * A progress writer on `stream` (stderr), or a silent one when `enabled` is false.
 * @param now the clock (ms), injectable for tests.
 */
export function progressOn(
  stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>,
  enabled: boolean,
  now: () => number = () => performance.now(),
): Progress {
  if (!enabled) return { live: false, update: () => {}, done: () => {} };
  if (stream.isTTY) {
    // Lines of the block on screen: the cursor sits at the end of its last line.
    let shown = 0;
    const erase = () => (shown > 1 ? `\r\x1b[${shown - 1}A\x1b[0J` : '\r\x1b[0J');
    return {
      live: true,
      update: (text) => {
        stream.write(erase() + text);
        shown = text.split('\n').length;
      },
      done: () => {
        if (shown > 0) stream.write(erase());
        shown = 0;
      },
    };
  }
  let next = now() + PLAIN_PROGRESS_INTERVAL_MS;
  return {
    live: false,
    update: (line) => {
      const at = now();
      if (at < next) return;
      next = at + PLAIN_PROGRESS_INTERVAL_MS;
      stream.write(`${line}\n`);
    },
    done: () => {},
  };
}

/** A run that Ctrl-C (SIGINT) or SIGTERM ends early: its context, and whether that happened. */
export interface Interruptible {
  ctx: Context;
  /** True once a signal cancelled the run. */
  interrupted(): boolean;
  /** Removes the signal handlers and releases the context. */
  dispose(): void;
}

/**
 * Cancels the returned context on the first SIGINT or SIGTERM, so the engine ends early and the partial result
 * is still printed and written (then the command exits 130); a second signal exits 130 at once.
 */
export function interruptible(): Interruptible {
  const [ctx, cancel] = withCancel(background());
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(ExitCode.interrupted);
    interrupted = true;
    cancel();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    ctx,
    interrupted: () => interrupted,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      cancel();
    },
  };
}
