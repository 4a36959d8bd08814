import type { RegistryConfig } from '../config/index.js';
import { describeScript } from '../config/script-path.js';
import { compileRule, parseImageEntry, referenceRule, type ImageEntry, type SelectionRule } from '../select/index.js';
import { describeScriptFailure, runSyncerScript, scriptLineLabel } from './syncer-script.js';

export interface RegistryRules {
  /** The syncer script's lines, then `images:`, then `mirrors:`, each a rule (one image, or many). */
  rules: SelectionRule[];
  /** Set when the script failed: nothing of this registry may be synced. `message` holds no stderr. */
  scriptError: { message: string; stderrTail: string[] } | undefined;
  invalidLines: Array<{ line: number; text: string; message: string }>;
}

/** A plain reference keeps its meaning (no tag: `latest`); the explicit all-tags forms are rules already (labelled alike). */
function ruleOf(entry: ImageEntry, label: string): SelectionRule {
  return { ...(entry.kind === 'reference' ? referenceRule(entry.reference, label) : entry.rule), fromList: true };
}

/**
 * What one registry mirrors, as selection rules: the syncer script's output (each line labelled
 * `syncer script line N`), the `images:` list (`images[i]`) and the `mirrors:` rules
 * (`mirrors[i]`). Invalid script lines are reported and skipped; the valid ones still count.
 * `images:` and `mirrors:` were checked when the config loaded (a config built in code that breaks
 * them throws here, as it would have before).
 */
export async function registryRules(registry: RegistryConfig, timeoutMs: number, signal?: AbortSignal): Promise<RegistryRules> {
  const rules: SelectionRule[] = [];
  const invalidLines: RegistryRules['invalidLines'] = [];
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
        rules: [],
        invalidLines: [],
        scriptError: { message: describeScriptFailure(result, label), stderrTail: result.stderrTail },
      };
    }
    for (const line of result.entries) {
      if (line.kind === 'image') rules.push(ruleOf(line.entry, scriptLineLabel(line.line)));
      else invalidLines.push({ line: line.line, text: line.text, message: line.error });
    }
  }
  registry.images.forEach((text, i) => rules.push(ruleOf(parseImageEntry(text, `images[${i}]`), `images[${i}]`)));
  (registry.mirrors ?? []).forEach((spec, i) => rules.push(compileRule(spec, spec.label ?? `mirrors[${i}]`)));
  return { rules, scriptError: undefined, invalidLines };
}
