import { isAbsolute, resolve } from 'node:path';
import { parseRegistryHost } from '../reference/index.js';
import { listedHosts } from './auth-hosts.js';
import { parseAuthSetting } from './auth-setting.js';
import { caFileProblem } from './ca-file.js';
import type { SourceSettings } from './types.js';
import type { PathProblem } from './zod-problems.js';

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The top-level `sources:` map (source registry host -> TLS settings and auth): hosts are
 * normalised like a reference's registry (so `Quay.io` and `quay.io` are one entry), CA files
 * resolved next to the config file, auth parsed. Works on raw data, like checkSemantics.
 */
export function checkSources(raw: unknown, base: string): { problems: PathProblem[]; warnings: PathProblem[]; sources: Map<string, SourceSettings> } {
  const problems: PathProblem[] = [];
  const warnings: PathProblem[] = [];
  const sources = new Map<string, SourceSettings>();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problems, warnings, sources };
  const keyOf = new Map<string, string>();
  for (const [key, value] of Object.entries(raw)) {
    const at = (...rest: string[]) => ['sources', key, ...rest];
    let host: string;
    try {
      host = parseRegistryHost(key);
    } catch (error) {
      problems.push({ path: at(), at: 'key', message: reason(error) });
      continue;
    }
    const first = keyOf.get(host);
    if (first !== undefined) problems.push({ path: at(), at: 'key', message: `duplicate source "${host}" (already listed as "${first}")` });
    keyOf.set(host, key);
    const entry = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    let caFile: string | undefined;
    if (typeof entry.caFile === 'string' && entry.caFile !== '') {
      caFile = isAbsolute(entry.caFile) ? entry.caFile : resolve(base, entry.caFile);
      const problem = caFileProblem(caFile);
      if (problem) problems.push({ path: at('caFile'), at: 'value', message: problem });
    }
    let auth: SourceSettings['auth'];
    if (typeof entry.auth === 'string') {
      try {
        auth = parseAuthSetting(entry.auth);
        // Pull side: a warning (the host's images are then pulled with pullAuthConfig, or anonymously).
        if (auth?.kind === 'docker-config' && !auth.auths.has(host)) {
          warnings.push({ path: at('auth'), at: 'value', message: `DockerConfigJSON has no entry for "${host}" (${listedHosts(auth.auths)}): this auth is never used` });
        }
      } catch (error) {
        problems.push({ path: at('auth'), at: 'value', message: reason(error) });
      }
    }
    sources.set(host, { insecure: entry.insecure === true, tlsVerify: entry.tlsVerify !== false, caFile, auth, pipelining: entry.pipelining !== false });
  }
  return { problems, warnings, sources };
}
