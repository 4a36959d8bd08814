import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { logFormat } from './log-format-flag.js';
import type { ImageSyncerFlags } from './image-syncer-action.js';

const count = (flag: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new InvalidArgumentError(`${flag} expects a whole number${min > 0 ? ` of at least ${min}` : ''}`);
  return n;
};

/** `--os linux,windows --os darwin`: comma lists, repeatable (image-syncer's string slices). */
const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== ''),
];

/** image-syncer's flags with its defaults (see its README), plus ours: --dry-run, --log-format, -v. */
export function registerImageSyncerCommand(program: Command): void {
  program
    .command('image-syncer')
    .description('a drop-in for image-syncer: its auth and images files (YAML or JSON), its flags and their defaults')
    .option('--config <file>', 'the older single file with auth: and images: (instead of --auth and --images)')
    .option('--auth <file>', 'authentication file, YAML or JSON (default: ./auth.json; anonymous when it does not exist)')
    .option('--images <file>', 'image rules file, YAML or JSON (default: ./images.json)')
    .option('--log <file>', 'append the log to this file (default: stderr)')
    .option('--registry <host>', 'default target registry, for rules with an empty destination (default: $DEFAULT_REGISTRY)')
    .option('--proc <n>', 'images copied at once', count('--proc', 1), 5)
    .option('--retries <n>', 'passes over the failed images once every image was tried', count('--retries', 0), 2)
    .option('--os <list>', 'only these operating systems (comma-separated, repeatable); an image with none of them is skipped', list)
    .option('--arch <list>', 'only these architectures (comma-separated, repeatable); an image with none of them is skipped', list)
    .option('--force', 'write the manifest even when the destination already has it')
    .option('--dry-run', 'print what would be copied; write nothing')
    .option('-v, --verbose', "name every tag a rule's filters dropped; the live view prints every event")
    .option('--log-format <format>', 'text (a live view on a terminal, else plain lines) or json (one object per event)', logFormat, 'text')
    .action(async (flags: ImageSyncerFlags) => {
      const { runImageSyncerCommand } = await import('./image-syncer-action.js');
      await runImageSyncerCommand(flags);
    });
}
