import { Command, CommanderError } from 'commander';
import { escapeControl } from '../display/terminal.js';
import { ConfigError, errorMessage, PictureBookError } from '../errors/index.js';
import { processScrubber } from '../errors/secret-scrubber.js';
import { registerConfigCommand } from './config-command.js';
import { registerCopyCommand } from './copy-command.js';
import { registerImageSyncerCommand } from './image-syncer-command.js';
import { registerLoadCommand } from './load-command.js';
import { registerSyncCommand } from './sync-command.js';
import { registerWorkerCommand } from './worker-command.js';
import { PICTURE_BOOK_VERSION } from '../transport/user-agent.js';

/** Exit codes: 0 success, 1 the work failed, 2 bad usage or configuration. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Errors that mean the command line itself was wrong. */
const USAGE_CODES = new Set(['INVALID_REFERENCE', 'PLATFORM_INVALID', 'CREDENTIALS_INVALID', 'USAGE']);

export function buildProgram(): Command {
  const program = new Command('picture-book')
    .description('Mirror container images between registries, daemonless: once (load) or on cron schedules (sync).')
    .version(PICTURE_BOOK_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerCopyCommand(program);
  registerLoadCommand(program);
  registerSyncCommand(program);
  registerWorkerCommand(program);
  registerConfigCommand(program);
  registerImageSyncerCommand(program);
  return program;
}

/**
 * One clear line (config errors: one line per problem), never a stack trace for expected failures.
 * Every line goes through the secret scrubber: a registry's error can quote the credentials it got.
 */
function report(error: unknown): number {
  const write = (text: string) => process.stderr.write(processScrubber.scrub(text));
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
  if (error instanceof ConfigError) {
    write(`${error.message.split('\n').map(escapeControl).join('\n')}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof PictureBookError) {
    write(`picture-book: error: ${escapeControl(error.message)}\n`);
    return USAGE_CODES.has(error.code) ? EXIT_USAGE : EXIT_FAILURE;
  }
  const message = errorMessage(error);
  write(`picture-book: error: ${escapeControl(message)}\n`);
  if (process.env.PICTURE_BOOK_DEBUG && error instanceof Error) write(`${error.stack}\n`);
  return EXIT_FAILURE;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    // Commands that finish with a failure (e.g. a load with failed images) set process.exitCode.
    return Number(process.exitCode ?? 0);
  } catch (error) {
    return report(error);
  }
}
