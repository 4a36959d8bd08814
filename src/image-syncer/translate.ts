import { basename } from 'node:path';
import { HOST_DEFAULTS, type RegistryConfig, type SourceMap } from '../config/index.js';
import { matchSourceKey } from '../config/source-key.js';
import { errorMessage } from '../errors/index.js';
import { parseReference } from '../reference/index.js';
import { compileRule, parseRuleSource, RuleError, type RuleSpec } from '../select/index.js';
import type { ImageRule } from './images-file.js';
import type { Problems } from './syncer-file.js';

export interface TranslateOptions {
  /** `--registry` or `DEFAULT_REGISTRY`: where a rule with an empty destination goes. */
  defaultRegistry: string | undefined;
  /** The auth file's entries, for both sides (longest match). */
  auth: SourceMap;
  force: boolean;
  retries: number;
  platforms?: readonly string[] | undefined;
}

/** `host/path:t1,t2` or `host/path@digest` -> the target host and the rule's `target` (path and suffix). */
function splitDestination(text: string): { host: string; target: string } {
  const at = text.indexOf('@');
  const named = at < 0 ? text : text.slice(0, at);
  const colon = named.indexOf(':', named.lastIndexOf('/') + 1);
  const path = colon < 0 ? named : named.slice(0, colon);
  const reference = parseReference(path);
  return { host: reference.registry, target: `${reference.repository}${text.slice(path.length)}` };
}

/** One image-syncer rule as one of ours, under its target host; problems at the rule's place. */
function translateRule(rule: ImageRule, options: TranslateOptions, problems: Problems): { host: string; spec: RuleSpec } | undefined {
  const where = rule.source.text;
  const label = `${basename(rule.source.at.file)}:${rule.source.at.line}`;
  let destination: { host: string; target?: string };
  if (rule.destination.text === '') {
    if (options.defaultRegistry === undefined) {
      problems.add(
        rule.destination.at,
        where,
        'the destination is empty and there is no default registry: give --registry HOST or set DEFAULT_REGISTRY',
      );
      return undefined;
    }
    destination = { host: options.defaultRegistry };
  } else {
    try {
      destination = splitDestination(rule.destination.text);
    } catch (error) {
      problems.add(rule.destination.at, where, errorMessage(error).replace(/^invalid reference /, 'invalid destination '));
      return undefined;
    }
  }
  const spec: RuleSpec = {
    source: rule.source.text,
    ...(destination.target === undefined ? {} : { target: destination.target }),
    // image-syncer's filter: an image with none of these platforms is skipped, not failed.
    ...(options.platforms && options.platforms.length > 0 ? { platforms: options.platforms, missingPlatforms: 'skip' as const } : {}),
    ...(options.force ? { force: true } : {}),
    label,
  };
  try {
    const kind = parseRuleSource(spec.source).kind;
    if (kind === 'namespace' || kind === 'registry')
      throw new RuleError(
        ['source'],
        `"${spec.source}" names a ${kind}: an image-syncer rule names a repository (all its tags), tags or a digest`,
      );
    compileRule(spec);
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    const onTarget = error.field[0] === 'target';
    // Quote the destination as written, host included, not the path the rule was given.
    const message = onTarget
      ? error.message
          .replace(/^invalid target "[^"]*"/, `invalid destination ${JSON.stringify(rule.destination.text)}`)
          .replace(JSON.stringify(spec.target), `destination ${JSON.stringify(rule.destination.text)}`)
      : error.message;
    problems.add(onTarget ? rule.destination.at : rule.source.at, where, message);
    return undefined;
  }
  return { host: destination.host, spec };
}

/**
 * image-syncer's rules as picture-book registries: one per destination host (no path prefix),
 * each rule one `mirrors:` rule labelled `images.yaml:LINE` (a repository: every tag; `repo:v1,v2`:
 * those tags; a digest: that image; a destination path as `target:`, its tags as renames). Every
 * problem is collected (nothing is copied when one is found).
 */
export function translateImages(rules: readonly ImageRule[], options: TranslateOptions, problems: Problems): RegistryConfig[] {
  const byHost = new Map<string, RuleSpec[]>();
  for (const rule of rules) {
    const translated = translateRule(rule, options, problems);
    if (!translated) continue;
    const specs = byHost.get(translated.host) ?? [];
    specs.push(translated.spec);
    byHost.set(translated.host, specs);
  }
  return [...byHost].map(([hostname, mirrors]): RegistryConfig => {
    const own = matchSourceKey(options.auth, hostname) ?? HOST_DEFAULTS;
    return {
      hostname,
      repository: '',
      pullAuth: undefined,
      pushAuth: undefined,
      syncPeriod: undefined,
      syncerScript: undefined,
      syncerScriptArgs: '',
      syncerScriptTimeoutSeconds: 120,
      deleteLocalImages: false,
      images: [],
      mirrors,
      insecure: own.insecure,
      tlsVerify: own.tlsVerify,
      caFile: own.caFile,
      pipelining: own.pipelining,
      concurrency: undefined,
      retries: options.retries,
      line: 0,
      sources: options.auth,
      pushSources: options.auth,
    };
  });
}
