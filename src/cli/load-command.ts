import type { Command } from 'commander';
import type { LoadFlags } from './load-action.js';
import { logFormat } from './log-format-flag.js';

export function registerLoadCommand(program: Command): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  program
    .command('load')
    .description(
      'one-time sync: copy every image the syncer scripts, images: lists and mirrors: rules select into the configured registries',
    )
    .option('-c, --config <file>', 'config file (default: $PICTURE_BOOK_CONFIG, else ./config.yaml)')
    .option('-r, --registry <host>', 'a configured registry hostname to load (repeatable)', collect, [])
    .option('-a, --all', 'load every configured registry')
    .option('--dry-run', 'print what would be copied, and what rules with prune: would delete; write nothing')
    .option('--prune-plan', 'list the rules and print only what rules with prune: would delete, and why; copy and delete nothing')
    .option('--prune-confirm', "lift the prune guards (maxFraction, maxCount) for this run: delete all a rule's selection left")
    .option(
      '--since <previous>',
      'targets that are OCI layouts become delta bundles: only what the previous bundle (oci: dir, oci-archive: file or its .inventory.json) lacks',
    )
    .option('-v, --verbose', "name every repository and tag a rule's filters dropped, and why; the live view prints every event")
    .option('--log-format <format>', 'text (live view or plain lines, per `display`) or json (one object per event)', logFormat, 'text')
    .action(async (flags: LoadFlags) => {
      const { runLoadCommand } = await import('./load-action.js');
      await runLoadCommand(flags);
    });
}
