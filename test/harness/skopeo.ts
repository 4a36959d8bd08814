import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from './layout-writer.js';
import { makeTempDir, run, type RunResult } from './procs.js';
import type { TestRegistry } from './registry.js';

const SYSTEM_POLICY = '/etc/containers/policy.json';
let policyFlags: Promise<string[]> | undefined;

/** skopeo refuses to copy without a signature policy; Debian ships one, else we write an accept-all. */
function globalFlags(): Promise<string[]> {
  policyFlags ??= (async () => {
    if (existsSync(SYSTEM_POLICY)) return [];
    const file = join(await makeTempDir('skopeo-policy'), 'policy.json');
    await writeFile(file, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    return ['--policy', file];
  })();
  return policyFlags;
}

/** Runs skopeo; the registry's password is redacted from any error. */
export async function skopeo(args: string[], registry?: Pick<TestRegistry, 'password'>): Promise<RunResult> {
  return run('skopeo', [...(await globalFlags()), ...args], [registry?.password]);
}

function dockerRef(ref: string): string {
  return ref.startsWith('docker://') ? ref : `docker://${ref}`;
}

/** The manifest exactly as served; the digest is computed from those bytes, not taken from skopeo. */
export async function skopeoInspectRaw(
  ref: string,
  registry: Pick<TestRegistry, 'password' | 'skopeoFlags'>,
): Promise<{ digest: string; raw: Buffer }> {
  const { stdout } = await skopeo(['inspect', '--raw', ...registry.skopeoFlags('plain'), dockerRef(ref)], registry);
  return { digest: sha256(stdout), raw: stdout };
}

/**
 * Copies every manifest and blob into an OCI layout; skopeo verifies each blob digest on the way.
 * No `--preserve-digests`: the oci: transport only stores OCI types, so Docker-typed images are
 * converted (the manifest bytes change, the blobs and their digests do not).
 */
export async function skopeoCopyToLayout(ref: string, registry: TestRegistry, dir: string): Promise<void> {
  await skopeo(['copy', '--quiet', '--all', ...registry.skopeoFlags('src'), dockerRef(ref), `oci:${dir}`], registry);
}

export async function skopeoListTags(repo: string, registry: TestRegistry): Promise<string[]> {
  const { stdout } = await skopeo(['list-tags', ...registry.skopeoFlags('plain'), dockerRef(repo)], registry);
  const parsed = JSON.parse(stdout.toString('utf8')) as { Tags?: string[] | null };
  return parsed.Tags ?? [];
}
