import { CopyEngine, type CopyEvent } from '../copy/index.js';
import { parseReference } from '../reference/index.js';
import { formatBytes, formatDuration, formatRate, shortDigest } from '../display/units.js';
import { endpointFromFlags, type SideFlags } from './endpoint-flags.js';
import { tuneForOneShotRun } from './one-shot-runtime.js';
import { processScrubber } from '../errors/secret-scrubber.js';

export interface CopyFlags {
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
}

function side(flags: CopyFlags, prefix: 'src' | 'dest'): SideFlags {
  const get = <K extends string>(name: K) => (flags as unknown as Record<string, unknown>)[`${prefix}${name}`];
  return {
    creds: get('Creds') as string | undefined,
    authfile: get('Authfile') as string | undefined,
    tlsVerify: get('TlsVerify') as boolean | undefined,
    caFile: get('CaFile') as string | undefined,
    insecure: get('Insecure') as boolean | undefined,
  };
}

function describe(event: CopyEvent): string | undefined {
  switch (event.type) {
    case 'blob-skipped': return `  blob ${shortDigest(event.digest)} already present`;
    case 'blob-mounted': return `  blob ${shortDigest(event.digest)} mounted from ${event.from}`;
    case 'blob-done': return `  blob ${shortDigest(event.digest)} copied (${formatBytes(event.size)} in ${formatDuration(event.durationMs)})`;
    case 'manifest-written': return `  manifest ${shortDigest(event.digest)} written`;
    case 'retry': return `  retry ${event.attempt} of ${event.method} ${event.url} in ${formatDuration(event.delayMs)}: ${event.reason}`;
    default: return undefined;
  }
}

/** `picture-book copy`: loaded only when the command runs, so other commands start without the engine. */
export async function runCopy(sourceArg: string, targetArg: string, flags: CopyFlags): Promise<void> {
  tuneForOneShotRun();
  const source = parseReference(sourceArg);
  const target = parseReference(targetArg);
  const engine = new CopyEngine();
  if (flags.verbose) {
    engine.subscribe((event) => {
      const line = describe(event);
      if (line) process.stderr.write(processScrubber.scrub(`${line}\n`));
    });
  }
  try {
    const result = await engine.copy({
      source: source.toString(),
      target: target.toString(),
      platforms: flags.platform,
      force: flags.force === true,
      sourceEndpoint: await endpointFromFlags(source.registry, side(flags, 'src'), 'src'),
      targetEndpoint: await endpointFromFlags(target.registry, side(flags, 'dest'), 'dest'),
    });
    if (result.status === 'skipped') {
      process.stdout.write(`up to date: ${result.target} already has ${result.digest} (nothing copied, ${formatDuration(result.durationMs)})\n`);
    } else {
      const blobs = `${result.blobsCopied} copied, ${result.blobsSkipped} already present, ${result.blobsMounted} mounted`;
      process.stdout.write(`copied ${result.source} -> ${result.target}\n  digest ${result.digest}\n  blobs: ${blobs}\n  ${formatBytes(result.bytes)} in ${formatDuration(result.durationMs)} (${formatRate(result.bytes, result.durationMs)})\n`);
      if (result.note) process.stdout.write(`  note: ${result.note}\n`);
    }
  } finally {
    await engine.close();
  }
}
