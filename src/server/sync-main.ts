#!/usr/bin/env node
/**
 * Stand-in entry for `picture-book sync` until src/cli/program.ts registers the command; the
 * end-to-end tests use the real CLI as soon as it knows `sync`. Remove once wired.
 */
import { Command } from 'commander';
import { registerSyncCommand } from '../cli/sync-command.js';
import { ConfigError } from '../errors/index.js';

const program = new Command('picture-book').exitOverride();
registerSyncCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(error instanceof ConfigError ? `${message}\n` : `picture-book: error: ${message}\n`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
