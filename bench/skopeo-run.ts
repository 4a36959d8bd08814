import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { minimalEnv, runTimed, type Measured } from './timed-process.js';

export interface SkopeoJob {
  sourceHost: string;
  targetHost: string;
  /** `repo:tag` paths on the source. */
  images: readonly string[];
}

/**
 * skopeo sync's YAML source listing every repository and its tags: one skopeo process for the whole
 * corpus, like picture-book's one `load`. (Per-repository `--src docker` invocations would add a
 * process start and a tags/list per repository, which is less fair to skopeo.)
 */
export async function writeSkopeoSource(dir: string, name: string, job: SkopeoJob): Promise<string> {
  const byRepo: Record<string, string[]> = {};
  for (const path of job.images) {
    const colon = path.lastIndexOf(':');
    (byRepo[path.slice(0, colon)] ??= []).push(path.slice(colon + 1));
  }
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, stringify({ [job.sourceHost]: { 'tls-verify': false, images: byRepo } }), { mode: 0o644 });
  return file;
}

/** The command: `skopeo sync --all --src yaml --dest docker ...`, target repositories under `mirror/`. */
export function skopeoSyncArgs(sourceFile: string, targetHost: string, policyFile: string): string[] {
  return [
    '--policy',
    policyFile,
    'sync',
    '--all',
    '--src',
    'yaml',
    '--dest',
    'docker',
    '--dest-tls-verify=false',
    sourceFile,
    `${targetHost}/mirror`,
  ];
}

/**
 * skopeo keeps a blob-info cache (which repositories of which registry hold a blob) on disk, for
 * root in /var/lib/containers/cache. The target is wiped and restarted on the same port between
 * rounds, so a shared cache would send skopeo after mounts from repositories that no longer exist.
 * Each round therefore gets its own cache: skopeo runs with its own HOME, and as root it runs as
 * `nobody` (setpriv) so that HOME is where the cache goes. The full mirror and the no-change re-run
 * of one round share the cache, as two runs of a real mirror job would.
 */
export class SkopeoHome {
  readonly dir: string;
  readonly policy: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.policy = join(dir, 'policy.json');
  }

  static async create(parent: string, name: string): Promise<SkopeoHome> {
    const home = new SkopeoHome(join(parent, name));
    await mkdir(home.dir, { recursive: true });
    await chmod(home.dir, 0o777);
    // Debian's default policy, written here so the unprivileged user can read it wherever it lives.
    await writeFile(home.policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }), { mode: 0o644 });
    return home;
  }

  command(args: readonly string[]): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
    const env = minimalEnv(this.dir);
    const asRoot = process.getuid?.() === 0;
    if (asRoot && existsSync('/usr/bin/setpriv')) {
      return { cmd: '/usr/bin/setpriv', args: ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'skopeo', ...args], env };
    }
    return { cmd: 'skopeo', args: [...args], env };
  }
}

export function runSkopeoSync(home: SkopeoHome, sourceFile: string, targetHost: string, timeoutMs: number): Promise<Measured> {
  const { cmd, args, env } = home.command(skopeoSyncArgs(sourceFile, targetHost, home.policy));
  return runTimed(cmd, args, { env, timeoutMs });
}
