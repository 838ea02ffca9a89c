#!/usr/bin/env node
/**
 * The `headroom` command. Each part registers its own subcommand from its own module; this file only wires them
 * and turns errors into the exit codes of `ExitCode`: 2 and one line on stderr for anything the user can fix,
 * 70 and one line for an internal error (its stack with `--debug` or `DEBUG=headroom`).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ExitCode, isUsageError, type UsageError } from '../errors.js';
import { registerBench } from './bench-command.js';
import { registerCollectCommand } from './collect-command.js';
import { dashboardArgv } from './dashboard-flag.js';
import { registerLimitsCommand } from './limits-command.js';
import { registerLoadCommand } from './load-command.js';
import { registerMergeCommand } from './merge-command.js';

/** The flag an engine option is set by, where the two are not spelled alike. */
const FLAG_OF: Record<string, string> = { thresholds: 'threshold', url: '' };

/** A usage error in the CLI's words: the flag instead of the option name (`--max-time: must be …`). */
function describeUsageError(error: UsageError): string {
  if (!error.option) return error.message;
  const flag = FLAG_OF[error.option] ?? error.option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return flag ? `--${flag}: ${error.detail}` : error.detail;
}

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// `--debug` is accepted anywhere on the line (it is about the process, not a subcommand).
const given = process.argv.filter((arg) => arg !== '--debug');
const debug = given.length !== process.argv.length || /(^|,)\s*headroom\b/.test(process.env.DEBUG ?? '');

const program = new Command('headroom')
  .description('Know your service’s limits: load it, find its capacity, see why it stops there.')
  .version(pkg.version)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`${text.trimEnd().split('\n')[0]}\n`) })
  .addHelpText(
    'after',
    '\nExit codes: 0 ok · 1 threshold, SLO or regression gate failed · 2 bad input · 70 internal error' +
      ' · 130 interrupted\n--debug (anywhere) or DEBUG=headroom: print the stack of an internal error\n',
  );

// Each part registers its own subcommand.
registerLoadCommand(program);
registerMergeCommand(program);
registerCollectCommand(program);
registerLimitsCommand(program);
registerBench(program);

// A bug anywhere (a stray exception in a callback, a rejected promise nobody awaited) ends the same way.
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

try {
  await program.parseAsync(dashboardArgv(given));
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every parse error has already been printed as one line.
    process.exit(error.exitCode === 0 ? ExitCode.ok : ExitCode.usage);
  }
  if (isUsageError(error)) {
    process.stderr.write(`headroom: ${describeUsageError(error)}\n`);
    process.exit(ExitCode.usage);
  }
  internalError(error);
}

/** Ends the process on a bug: one line naming the failure (the stack with --debug), exit 70. */
function internalError(error: unknown): never {
  const failure = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(
    debug
      ? `headroom: internal error: ${failure.stack ?? failure.message}\n`
      : `headroom: internal error: ${failure.message.split('\n')[0]} (--debug shows where)\n`,
  );
  process.exit(ExitCode.internal);
}
