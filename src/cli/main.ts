#!/usr/bin/env node
/**
 * The `headroom` command. Each part registers its own subcommand from its own module; this file only wires them
 * and turns errors into DESIGN.md's exit codes (one line on stderr, exit 2 for anything the user can fix).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ExitCode, UsageError } from '../errors.js';
import { registerBench } from './bench-command.js';
import { registerLimitsCommand } from './limits-command.js';
import { registerLoadCommand } from './load-command.js';

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

const program = new Command('headroom')
  .description('Know your service’s limits: load it, find its capacity, see why it stops there.')
  .version(pkg.version)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`${text.trimEnd().split('\n')[0]}\n`) });

// Each part registers its own subcommand.
registerLoadCommand(program);
registerLimitsCommand(program);
registerBench(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every parse error has already been printed as one line.
    process.exit(error.exitCode === 0 ? ExitCode.ok : ExitCode.usage);
  }
  if (error instanceof UsageError) {
    process.stderr.write(`headroom: ${describeUsageError(error)}\n`);
    process.exit(ExitCode.usage);
  }
  throw error;
}
