import { InvalidArgumentError, type Command } from 'commander';

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  return n;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('scale-out: take copy jobs of `sync --queue` servers from Redis and run them (credentials from this config)')
    .option(
      '-c, --config <file>',
      'config file: its registries say how to reach each host (default: $PICTURE_BOOK_CONFIG, else ./config.yaml)',
    )
    .option('--queue <redis-url>', 'the Redis the sync servers use (overrides queue.url)')
    .option('--concurrency <n>', 'copy jobs at once (default: concurrency.images)', positiveInteger)
    .action(async (flags: { config?: string; queue?: string; concurrency?: number }) => {
      const { runWorker } = await import('./worker-action.js');
      await runWorker(flags);
    });
}
