import { CopyEngine } from '../copy/index.js';
import { withSourceTag } from '../copy/target-defaults.js';
import { createCopyView } from '../display/copy-view.js';
import { plannedReferrers } from '../display/event-lines.js';
import { parseReference } from '../reference/index.js';
import { formatBytes, formatDuration, formatRate } from '../display/units.js';
import { endpointFromFlags } from './endpoint-flags.js';
import type { SideFlags } from './side-flags.js';
import { tuneForOneShotRun } from './one-shot-runtime.js';
import { processScrubber } from '../errors/secret-scrubber.js';
import { timeoutSettingsFromFlags, type TimeoutFlags } from './timeout-flags.js';
import type { TagFilterFlags } from './tag-filter-flags.js';
import { timeoutsFromSettings } from '../transport/index.js';
import { PictureBookError } from '../errors/index.js';

export interface CopyFlags extends TimeoutFlags, TagFilterFlags {
  srcCreds?: string;
  destCreds?: string;
  srcAuthfile?: string;
  destAuthfile?: string;
  srcTlsVerify?: boolean;
  destTlsVerify?: boolean;
  srcCaFile?: string;
  destCaFile?: string;
  srcInsecure?: boolean;
  destInsecure?: boolean;
  platform: string[];
  force?: boolean;
  verbose?: boolean;
  /** commander's `--no-referrers` / `--no-cosign-tags`: true unless given. */
  referrers?: boolean;
  cosignTags?: boolean;
  referrerType?: string[];
  skipReferrerType?: string[];
  dryRun?: boolean;
  since?: string;
}

/** One side's `--src-…` or `--dest-…` flags. */
export function side(flags: CopyFlags, prefix: 'src' | 'dest'): SideFlags {
  const get = (name: string) => (flags as unknown as Record<string, unknown>)[`${prefix}${name}`];
  return {
    creds: get('Creds') as string | undefined,
    authfile: get('Authfile') as string | undefined,
    tlsVerify: get('TlsVerify') as boolean | undefined,
    caFile: get('CaFile') as string | undefined,
    insecure: get('Insecure') as boolean | undefined,
  };
}

/** A layout on disk has no host to talk to: a registry flag given for it is a mistake, said rather than ignored. */
async function endpointOf(reference: ReturnType<typeof parseReference>, flags: CopyFlags, prefix: 'src' | 'dest') {
  const given = side(flags, prefix);
  if (!reference.isLayout) return endpointFromFlags(reference.registry, given, prefix);
  const names = { creds: 'creds', authfile: 'authfile', tlsVerify: 'tls-verify', caFile: 'ca-file', insecure: 'insecure' } as const;
  for (const [key, flag] of Object.entries(names)) {
    if (given[key as keyof SideFlags] !== undefined) {
      throw new PictureBookError(
        'USAGE',
        `--${prefix}-${flag} does not apply to ${reference.registry}: it is an OCI layout on disk, not a registry`,
      );
    }
  }
  return undefined;
}

/** A bad argument says which one it is: `target: invalid reference "...": ...` (exit 2 all the same). */
function parseArgument(name: 'source' | 'target', value: string): ReturnType<typeof parseReference> {
  try {
    return parseReference(value);
  } catch (error) {
    if (error instanceof PictureBookError) throw new PictureBookError(error.code, `${name}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** `picture-book copy`: loaded only when the command runs, so other commands start without the engine. */
export async function runCopy(sourceArg: string, targetArg: string, flags: CopyFlags): Promise<void> {
  tuneForOneShotRun();
  const source = parseArgument('source', sourceArg);
  const target = parseArgument('target', targetArg);
  // Files named by flags are checked before the engine opens any connection.
  const sourceEndpoint = await endpointOf(source, flags, 'src');
  const targetEndpoint = await endpointOf(target, flags, 'dest');
  const engine = new CopyEngine({ timeouts: timeoutsFromSettings(timeoutSettingsFromFlags(flags)) });
  // -v lines can quote a registry's error text, which can quote the credentials it got.
  const err = { write: (text: string) => process.stderr.write(processScrubber.scrub(text)) };
  const view = createCopyView(process.stdout, { registry: target.registry, verbose: flags.verbose === true, err });
  try {
    const task = {
      source: source.toString(),
      target: target.toString(),
      platforms: flags.platform,
      force: flags.force === true,
      referrers: flags.referrers !== false,
      cosignTags: flags.cosignTags !== false,
      artifactTypes: { include: flags.referrerType ?? [], exclude: flags.skipReferrerType ?? [] },
      ...(sourceEndpoint ? { sourceEndpoint } : {}),
      ...(targetEndpoint ? { targetEndpoint } : {}),
      ...(flags.since !== undefined ? { since: flags.since } : {}),
    };
    if (flags.dryRun === true) {
      // HEADs and listings only, as `load --dry-run`: what a copy would do, and nothing written.
      const plan = await engine.plan(task, { onEvent: (event) => view.handle(event) });
      view.close();
      const shownTarget = withSourceTag(source, target).toString();
      const referrers = plannedReferrers(plan.referrers, 'would copy');
      process.stdout.write(
        plan.action === 'copy'
          ? `would copy ${task.source} -> ${shownTarget} (${plan.digest}; dry run, nothing written)\n`
          : plan.action === 'skip'
            ? `would skip ${task.source} -> ${shownTarget}: ${plan.note ?? 'none of the platforms asked for'} (dry run)\n`
            : `up to date: ${shownTarget} already has ${plan.digest} (dry run)\n`,
      );
      if (referrers) process.stdout.write(`  signatures and attestations: ${referrers}\n`);
      return;
    }
    const result = await engine.copy(task, { onEvent: (event) => view.handle(event) });
    view.close();
    const referrers = result.referrers;
    const referrerLine =
      referrers && referrers.copied + referrers.present + referrers.failed > 0
        ? `  signatures and attestations: ${referrers.copied} copied, ${referrers.present} already present${referrers.failed > 0 ? `, ${referrers.failed} failed` : ''}\n`
        : '';
    if (result.status === 'skipped') {
      const what = referrers?.copied ? 'image unchanged' : 'nothing copied';
      process.stdout.write(
        `up to date: ${result.target} already has ${result.digest} (${what}, ${formatDuration(result.durationMs)})\n${referrerLine}`,
      );
    } else {
      const blobs = `${result.blobsCopied} copied, ${result.blobsSkipped} already present, ${result.blobsMounted} mounted`;
      process.stdout.write(
        `copied ${result.source} -> ${result.target}\n  digest ${result.digest}\n  blobs: ${blobs}\n  ${formatBytes(result.bytes)} in ${formatDuration(result.durationMs)} (${formatRate(result.bytes, result.durationMs)})\n`,
      );
      if (result.note) process.stdout.write(`  note: ${result.note}\n`);
      process.stdout.write(referrerLine);
    }
  } finally {
    // Before the error line main prints: the live block is erased first.
    view.close();
    await engine.close();
  }
}
