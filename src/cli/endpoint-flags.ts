import type { Credentials } from '../auth/credentials.js';
import { parseUserPass } from '../auth/credentials.js';
import { CredentialStore } from '../auth/credential-store.js';
import { runCredentialHelper } from '../auth/credential-helper.js';
import { parseDockerConfig, readDockerConfig, type DockerAuths } from '../auth/docker-config.js';
import { dockerConfigCredentials } from '../auth/helper-credentials.js';
import { caFileProblem } from '../config/ca-file.js';
import { HOST_DEFAULTS, toEndpointOptions } from '../config/index.js';
import { errorMessage, PictureBookError } from '../errors/index.js';
import { readFile } from 'node:fs/promises';
import type { EndpointOptions } from '../transport/index.js';
import { processScrubber } from '../errors/secret-scrubber.js';
import type { SideFlags } from './side-flags.js';

/** Why a file named by a flag cannot be read, as the flag's message says it. */
function unreadable(error: unknown, what: string, path: string): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return `${what} not found: ${path}`;
  if (code === 'EACCES') return `${what} is not readable: ${path}`;
  if (code === 'EISDIR') return `${what} is a directory, not a file: ${path}`;
  return `${what} cannot be read: ${path}: ${errorMessage(error)}`;
}

/** A bad `--src-…`/`--dest-…` flag value: a usage error (exit 2) that names the flag and the file. */
function flagError(flag: string, message: string): PictureBookError {
  return new PictureBookError('USAGE', `${flag}: ${message}`);
}

/** `--src-creds user:pass`; a malformed value names its flag (never quoting it: it holds the password). */
function credsFlag(value: string, flag: string): Credentials {
  try {
    return parseUserPass(value);
  } catch (error) {
    throw flagError(flag, error instanceof Error ? error.message : String(error));
  }
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
    throw flagError(flag, `auth file ${path}: ${errorMessage(error)}`);
  }
}

/** The docker config file's credentials for a registry, as Docker finds them (helpers first; see dockerConfigCredentials). */
async function fileCredentials(registry: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  return dockerConfigCredentials(await readDockerConfig(env), registry, (name, server) => runCredentialHelper(name, server, env));
}

/**
 * Endpoint options for one side (`side` names its flags in errors): explicit `user:pass` wins,
 * then an auth file (DockerConfigJSON), then `$DOCKER_CONFIG/config.json` or
 * `~/.docker/config.json`, else anonymous. Files named by flags are checked here, before any
 * request: a missing file or a CA file that holds no certificate is a usage error.
 */
export async function endpointFromFlags(
  registry: string,
  flags: SideFlags,
  side: 'src' | 'dest',
  env: NodeJS.ProcessEnv = process.env,
): Promise<EndpointOptions> {
  let credentials: Credentials | undefined;
  if (flags.creds) credentials = credsFlag(flags.creds, `--${side}-creds`);
  else {
    const store = new CredentialStore();
    if (flags.authfile) store.addAll(await authFileCredentials(flags.authfile, `--${side}-authfile`));
    credentials = store.lookup(registry) ?? (await fileCredentials(registry, env));
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
