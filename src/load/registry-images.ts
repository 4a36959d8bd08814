import { parseReference, type Reference } from '../reference/index.js';
import type { RegistryConfig } from '../config/index.js';
import { describeScript } from '../config/script-path.js';
import { describeScriptFailure, runSyncerScript } from './syncer-script.js';

export interface ListedImages {
  images: Reference[];
  /** Set when the script failed: nothing of this registry may be synced. `message` holds no stderr. */
  scriptError: { message: string; stderrTail: string[] } | undefined;
  invalidLines: Array<{ line: number; text: string; message: string }>;
}

/**
 * The images to mirror into one registry: the syncer script's output, then the literal `images:`
 * list, de-duplicated. Invalid lines are reported and skipped; the valid ones still count.
 */
export async function listRegistryImages(registry: RegistryConfig, timeoutMs: number, signal?: AbortSignal): Promise<ListedImages> {
  const images: Reference[] = [];
  const invalidLines: ListedImages['invalidLines'] = [];
  if (registry.syncerScript) {
    const result = await runSyncerScript({
      script: registry.syncerScript,
      args: registry.syncerScriptArgs,
      timeoutMs,
      signal,
      maxLineBytes: registry.syncerScriptMaxLineBytes,
      maxLines: registry.syncerScriptMaxLines,
    });
    if (!result.ok) {
      const label = describeScript(registry.syncerScriptLookup, registry.syncerScript);
      return {
        images: [],
        invalidLines: [],
        scriptError: { message: describeScriptFailure(result, label), stderrTail: result.stderrTail },
      };
    }
    for (const entry of result.entries) {
      if (entry.kind === 'image') images.push(entry.reference);
      else invalidLines.push({ line: entry.line, text: entry.text, message: entry.error });
    }
  }
  for (const text of registry.images) images.push(parseReference(text));
  const seen = new Set<string>();
  const unique = images.filter((ref) => (seen.has(ref.toString()) ? false : (seen.add(ref.toString()), true)));
  return { images: unique, scriptError: undefined, invalidLines };
}
