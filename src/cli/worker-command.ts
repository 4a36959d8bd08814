import { InvalidArgumentError, type Command } from 'commander';
import type { WorkerFlags } from './worker-action.js';

const wholeNumber =
  (least: number) =>
  (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < least || n > 1000) throw new InvalidArgumentError(`expected a whole number from ${least} to 1000`);
    return n;
  };

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('scale-out: take copy jobs of `sync --queue` servers from Redis and run them (credentials from this config)')
    .option(
      '-c, --config <file>',
      'config file: its registries say how to reach each host (default: $PICTURE_BOOK_CONFIG, else ./config.yaml)',
    )
    .option('--queue <redis-url>', 'the Redis the sync servers use (overrides queue.url)')
    .option('--concurrency <n>', 'copy jobs at once (default: concurrency.images)', wholeNumber(1))
    .option('--prefetch <n>', 'copy jobs taken ahead of a free slot (default: queue.prefetch, else one per slot; 0: none)', wholeNumber(0))
    .action(async (flags: WorkerFlags) => {
      const { runWorker } = await import('./worker-action.js');
      await runWorker(flags);
    });
}
