import { InvalidArgumentError } from 'commander';
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

interface SideFlag {
  flags: string;
  description: string;
  parse?: ((value: string | undefined) => boolean) | undefined;
}

/** Each host flag of `copy`, written once for both sides: `registry` is "source" or "target". */
const HOST_FLAGS: ReadonlyArray<{ flag: string; help: (registry: string, side: string) => string; parse?: SideFlag['parse'] }> = [
  { flag: 'creds <user:pass>', help: (registry) => `credentials for the ${registry} registry` },
  { flag: 'authfile <file>', help: (registry) => `DockerConfigJSON file with ${registry} credentials` },
  {
    flag: 'tls-verify [bool]',
    help: (registry, side) => `verify the ${registry} TLS certificate (--${side}-tls-verify=false to skip)`,
    parse: parseBooleanFlag,
  },
  { flag: 'ca-file <pem>', help: (registry) => `extra CA certificate(s) to trust for the ${registry}` },
  { flag: 'insecure', help: (registry) => `use plain http for the ${registry}, with no https attempt first` },
];

/** `--src-creds`, `--dest-creds`, `--src-authfile`, ...: each host flag for the source, then the target. */
export const SIDE_FLAGS: readonly SideFlag[] = HOST_FLAGS.flatMap(({ flag, help, parse }) =>
  (['src', 'dest'] as const).map((side) => ({
    flags: `--${side}-${flag}`,
    description: help(side === 'src' ? 'source' : 'target', side),
    parse,
  })),
);

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
