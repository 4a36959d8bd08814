import { InvalidArgumentError } from 'commander';
import type { Credentials } from '../auth/credentials.js';
import { parseUserPass } from '../auth/credentials.js';
import { CredentialStore } from '../auth/credential-store.js';
import { parseDockerConfig, readDockerConfigFile, type DockerAuths } from '../auth/docker-config.js';
import { caFileProblem } from '../config/ca-file.js';
import { HOST_DEFAULTS, toEndpointOptions } from '../config/index.js';
import { PictureBookError } from '../errors/index.js';
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

/** Why a file named by a flag cannot be read, as the flag's message says it. */
function unreadable(error: unknown, what: string, path: string): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return `${what} not found: ${path}`;
  if (code === 'EACCES') return `${what} is not readable: ${path}`;
  if (code === 'EISDIR') return `${what} is a directory, not a file: ${path}`;
  return `${what} cannot be read: ${path}: ${error instanceof Error ? error.message : String(error)}`;
}

/** A bad `--src-…`/`--dest-…` flag value: a usage error (exit 2) that names the flag and the file. */
function flagError(flag: string, message: string): PictureBookError {
  return new PictureBookError('USAGE', `${flag}: ${message}`);
}

async function authFileCredentials(path: string, flag: string): Promise<DockerAuths> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw flagError(flag, unreadable(error, 'auth file', path));
  }
  try {
    return parseDockerConfig(text);
  } catch (error) {
    // CredentialsError messages never quote the secret.
    throw flagError(flag, `auth file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Endpoint options for one side (`side` names its flags in errors): explicit `user:pass` wins,
 * then an auth file (DockerConfigJSON), then `$DOCKER_CONFIG/config.json` or
 * `~/.docker/config.json`, else anonymous. Files named by flags are checked here, before any
 * request: a missing file or a CA file that holds no certificate is a usage error.
 */
export async function endpointFromFlags(registry: string, flags: SideFlags, side: 'src' | 'dest', env: NodeJS.ProcessEnv = process.env): Promise<EndpointOptions> {
  let credentials: Credentials | undefined;
  if (flags.creds) credentials = parseUserPass(flags.creds);
  else {
    const store = new CredentialStore();
    if (flags.authfile) store.addAll(await authFileCredentials(flags.authfile, `--${side}-authfile`));
    store.addAll(await readDockerConfigFile(env));
    credentials = store.lookup(registry);
  }
  // Known to the scrubber for the rest of the command: error output never quotes them.
  if (credentials) processScrubber.addCredentials(credentials.username, credentials.password);
  if (flags.caFile) {
    const problem = caFileProblem(flags.caFile);
    if (problem) throw flagError(`--${side}-ca-file`, problem);
  }
  // The CA file is used as given (relative to the working directory), like skopeo's flag.
  return toEndpointOptions({
    ...HOST_DEFAULTS,
    insecure: flags.insecure ?? HOST_DEFAULTS.insecure,
    tlsVerify: flags.tlsVerify ?? HOST_DEFAULTS.tlsVerify,
    caFile: flags.caFile || undefined,
    credentials,
  });
}
