import type { Command } from 'commander';

export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .description('continuous sync: load every configured registry on its syncPeriod, with the HTTP API when api.enabled')
    .option('-c, --config <file>', 'config file (default: $PICTURE_BOOK_CONFIG, else ./config.yaml)')
    .option('--queue <redis-url>', 'copy through `picture-book worker` processes sharing this Redis (overrides queue.url)')
    .action(async (flags: { config?: string; queue?: string }) => {
      const { runSyncServer } = await import('./sync-action.js');
      await runSyncServer(flags.config, flags.queue);
    });
}
