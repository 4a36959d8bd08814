import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * `npm run demo -- sync`: `picture-book sync` on the demo's config with the API on. Its JSON log goes
 * to a file; the terminal gets the dashboard's address and token once it listens. Ctrl-C stops it.
 */
export async function runSyncDemo(cli: string, config: string, api: { port: number; token: string }, logFile: string): Promise<number> {
  process.stdout.write(`demo: picture-book sync --config ${config} (log: ${logFile})\n`);
  const log = createWriteStream(logFile, { flags: 'a' });
  // In a process group of its own: Ctrl-C reaches the demo alone, which passes one SIGTERM on. In the
  // terminal's group the server got the SIGINT too, and the demo's SIGTERM, a second signal, killed it
  // mid-stop (the demo then exited 1). Closing the terminal (SIGHUP) stops it as well.
  const child = spawn(process.execPath, [cli, 'sync', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const stop = () => child.kill('SIGTERM');
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
  createInterface({ input: child.stdout }).on('line', (line) => {
    log.write(`${line}\n`);
    let event: { event?: string; url?: string } = {};
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.event !== 'api-listening') return;
    process.stdout.write(
      [
        '',
        `Dashboard: ${event.url ?? `http://127.0.0.1:${api.port}`}/ui/`,
        `Token:     ${api.token}`,
        '',
        'Every registry runs at start, then every minute. The same data from the API:',
        `  curl -s -H 'Authorization: Bearer ${api.token}' '${event.url ?? ''}/list?type=active'`,
        'Ctrl-C stops the server (the registries keep running: `npm run demo -- stop`).',
        '',
      ].join('\n'),
    );
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
  log.end();
  return code;
}
