import { InvalidArgumentError } from 'commander';
import type { Credentials } from '../auth/credentials.js';
import { parseUserPass } from '../auth/credentials.js';
import { CredentialStore } from '../auth/credential-store.js';
import { parseDockerConfig, readDockerConfigFile } from '../auth/docker-config.js';
import { readFile } from 'node:fs/promises';
import type { EndpointOptions } from '../transport/index.js';
import { processScrubber } from '../errors/secret-scrubber.js';

/** The per-side flags of `copy` (`--src-…` / `--dest-…`), as commander hands them over. */
export interface SideFlags {
  creds?: string;
  authfile?: string;
  tlsVerify?: boolean;
  caFile?: string;
  insecure?: boolean;
}

/** Parses `true`/`false` for flags like `--src-tls-verify=false` (skopeo's spelling). */
export function parseBooleanFlag(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
}

/**
 * Endpoint options for one side: explicit `user:pass` wins, then an auth file (DockerConfigJSON),
 * then `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, else anonymous.
 */
export async function endpointFromFlags(registry: string, flags: SideFlags, env: NodeJS.ProcessEnv = process.env): Promise<EndpointOptions> {
  let credentials: Credentials | undefined;
  if (flags.creds) credentials = parseUserPass(flags.creds);
  else {
    const store = new CredentialStore();
    if (flags.authfile) store.addAll(parseDockerConfig(await readFile(flags.authfile, 'utf8')));
    store.addAll(await readDockerConfigFile(env));
    credentials = store.lookup(registry);
  }
  // Known to the scrubber for the rest of the command: error output never quotes them.
  if (credentials) processScrubber.addCredentials(credentials.username, credentials.password);
  return {
    credentials,
    ...(flags.tlsVerify === false ? { tlsVerify: false } : {}),
    ...(flags.caFile ? { caFile: flags.caFile } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
  };
}
