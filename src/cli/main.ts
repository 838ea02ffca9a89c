#!/usr/bin/env node
/**
 * The `headroom` command. Each part registers its own subcommand from its own module; this file only wires them
 * and turns errors into DESIGN.md's exit codes (one line on stderr, exit 2 for anything the user can fix).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBench } from './bench-command.js';
import { registerLimitsCommand } from './limits-command.js';
import { registerLoadCommand } from './load-command.js';
import { ExitCode, UsageError } from './usage-error.js';

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
    process.stderr.write(`headroom: ${error.message}\n`);
    process.exit(ExitCode.usage);
  }
  throw error;
}
