import { dirname, isAbsolute, resolve } from 'node:path';
import { Cron } from 'croner';
import { validateRepository } from '../reference/grammar.js';
import { parseReference, parseRegistryHost } from '../reference/index.js';
import { parseAuthSetting } from './auth-setting.js';
import { checkAuthHosts } from './auth-hosts.js';
import { caFileProblem } from './ca-file.js';
import { listenHostProblem } from './listen-host.js';
import { splitScriptArgs } from './script-args.js';
import { checkSources } from './source-checks.js';
import { locateScript } from './script-path.js';
import type { AuthSetting, ScriptLookup, SourceSettings } from './types.js';
import type { PathProblem } from './zod-problems.js';

export interface CheckedRegistry {
  hostname: string;
  repository: string;
  pullAuth: AuthSetting | undefined;
  pushAuth: AuthSetting | undefined;
  syncerScript: string | undefined;
  syncerScriptLookup: ScriptLookup | undefined;
  caFile: string | undefined;
  /** As written (unchecked types), for the auth host checks. */
  images: unknown[];
}

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** `*\/5 * * * *` or with seconds; croner decides whether the fields themselves are valid. */
export function checkCron(pattern: string, timezone: string): string | undefined {
  const fields = pattern.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return `cron needs 5 fields (or 6 with seconds), got ${fields}: "${pattern}"`;
  try {
    new Cron(pattern, { paused: true, timezone }).stop();
    return undefined;
  } catch (error) {
    return `invalid cron "${pattern}": ${reason(error)}`;
  }
}

type Loose = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Loose => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {});

/**
 * Everything the schema cannot say: hosts, duplicates, cron, files, references, auth forms.
 * Works on the raw data with type guards, so it runs even when the schema found problems and
 * every problem is reported at once. Returns the values resolved along the way.
 */
export function checkSemantics(data: unknown, file: string, env: NodeJS.ProcessEnv = {}): { problems: PathProblem[]; warnings: PathProblem[]; registries: CheckedRegistry[]; sources: Map<string, SourceSettings> } {
  const problems: PathProblem[] = [];
  const warnings: PathProblem[] = [];
  const add = (path: PathProblem['path'], message: string, at: PathProblem['at'] = 'value') => problems.push({ path, message, at });
  const base = dirname(file);
  const root = obj(data);
  const timezone = str(obj(root.sync).timezone) ?? 'UTC';
  const seen = new Map<string, number>();
  const list = Array.isArray(root.registries) ? root.registries : [];
  const registries = list.map((item, i): CheckedRegistry => {
    const r = obj(item);
    const at = (key: string) => ['registries', i, key];
    const rawHost = str(r.hostname);
    let hostname = rawHost ?? '';
    if (rawHost !== undefined) {
      try {
        hostname = parseRegistryHost(rawHost);
        const first = seen.get(hostname);
        if (first !== undefined) add(at('hostname'), `duplicate hostname "${hostname}" (already used by registries[${first}])`);
        else seen.set(hostname, i);
      } catch (error) {
        add(at('hostname'), reason(error));
      }
    }
    const repository = (str(r.repository) ?? '').replace(/^\/+|\/+$/g, '');
    if (repository) {
      try {
        validateRepository(repository, repository);
      } catch (error) {
        add(at('repository'), reason(error));
      }
    }
    const auth = (key: 'pullAuthConfig' | 'pushAuthConfig'): AuthSetting | undefined => {
      const value = str(r[key]);
      if (value === undefined) return undefined;
      try {
        return parseAuthSetting(value);
      } catch (error) {
        add(at(key), reason(error));
        return undefined;
      }
    };
    const pullAuth = auth('pullAuthConfig');
    const pushAuth = auth('pushAuthConfig');
    const syncPeriod = str(r.syncPeriod);
    if (syncPeriod !== undefined) {
      const cron = checkCron(syncPeriod, timezone);
      if (cron) add(at('syncPeriod'), cron);
    }
    const script = str(r.syncerScript);
    const located = script ? locateScript(script, base, env.PATH) : undefined;
    if (located?.problem) add(at('syncerScript'), located.problem);
    const syncerScript = located?.lookup.path;
    const args = str(r.syncerScriptArgs);
    if (args !== undefined) {
      try {
        splitScriptArgs(args);
      } catch (error) {
        add(at('syncerScriptArgs'), reason(error));
      }
    }
    const images = Array.isArray(r.images) ? r.images : [];
    if (!script && images.length === 0) add(['registries', i], 'needs a "syncerScript" or an "images" list (or both)', 'key');
    images.forEach((image, j) => {
      if (typeof image !== 'string') return;
      try {
        parseReference(image);
      } catch (error) {
        add(['registries', i, 'images', j], reason(error));
      }
    });
    const ca = str(r.caFile);
    const caFile = ca ? (isAbsolute(ca) ? ca : resolve(base, ca)) : undefined;
    if (caFile) {
      const problem = caFileProblem(caFile);
      if (problem) add(at('caFile'), problem);
    }
    return { hostname, repository, pullAuth, pushAuth, syncerScript, syncerScriptLookup: located?.lookup, caFile, images };
  });
  const api = obj(root.api);
  // A token of the wrong type is the schema's to report; "empty" would be a second, wrong reason.
  const token = api.authToken;
  if (api.enableAuth === true && (token === undefined || (typeof token === 'string' && token.trim() === ''))) add(['api', 'authToken'], 'enableAuth is true but authToken is empty', 'key');
  if (typeof api.host === 'string') {
    const problem = listenHostProblem(api.host);
    if (problem) add(['api', 'host'], problem);
  }
  // Only a configured zone is checked: Intl's time-zone data costs every run ~8 MB and 0.1 s.
  if (timezone !== 'UTC') {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      add(['sync', 'timezone'], `unknown time zone "${timezone}"`);
    }
  }
  const sources = checkSources(root.sources, base);
  problems.push(...sources.problems);
  warnings.push(...sources.warnings);
  registries.forEach((r, index) => {
    const found = checkAuthHosts({ index, hostname: r.hostname, pullAuth: r.pullAuth, pushAuth: r.pushAuth, images: r.images, sources: sources.sources });
    problems.push(...found.problems);
    warnings.push(...found.warnings);
  });
  return { problems, warnings, registries, sources: sources.sources };
}
