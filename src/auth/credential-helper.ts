import { execFile } from 'node:child_process';
import { PictureBookError } from '../errors/index.js';
import { Credentials } from './credentials.js';

/** How long a helper may take (a keychain prompt, a cloud token exchange) before it counts as failed. */
const HELPER_TIMEOUT_MS = 60_000;
/** A helper answers a few hundred bytes; more is not a helper's answer. */
const MAX_OUTPUT_BYTES = 64 * 1024;
/** What Docker's helpers print when they hold nothing for the host: no credentials, not a failure. */
const NOT_FOUND = /credentials not found/i;

function helperError(program: string, host: string, why: string): PictureBookError {
  return new PictureBookError('CREDENTIAL_HELPER_FAILED', `credential helper ${program} (for ${host}) ${why}`);
}

/**
 * Runs `docker-credential-NAME get` with the registry host on stdin, as Docker does, and reads
 * `{"Username": ..., "Secret": ...}` from its stdout. Undefined when the helper says it holds
 * nothing for the host. Its output is never quoted in an error (it is, or may hold, the secret):
 * a failure says how the helper ended, not what it printed.
 */
export function runCredentialHelper(name: string, host: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      ['get'],
      { env, timeout: HELPER_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (error, stdout) => {
        if (error) {
          const code = (error as { code?: unknown }).code;
          if (code === 'ENOENT') return reject(helperError(program, host, 'is not on PATH'));
          if (error.killed) return reject(helperError(program, host, `did not answer within ${HELPER_TIMEOUT_MS / 1000}s`));
          if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return reject(helperError(program, host, 'printed more than 64 KiB'));
          if (NOT_FOUND.test(stdout)) return resolve(undefined);
          return reject(helperError(program, host, `failed (exit code ${typeof code === 'number' ? code : 'unknown'})`));
        }
        try {
          resolve(parseHelperAnswer(stdout, program, host));
        } catch (thrown) {
          reject(thrown instanceof Error ? thrown : new Error(String(thrown)));
        }
      },
    );
    // A helper that exits without reading stdin makes the write fail with EPIPE: its exit says the rest.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(`${host}\n`);
  });
}

function parseHelperAnswer(stdout: string, program: string, host: string): Credentials {
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    throw helperError(program, host, 'printed something that is not JSON');
  }
  const { Username: username, Secret: secret } = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof secret !== 'string' || secret === '') {
    throw helperError(program, host, 'answered without a "Username" and "Secret"');
  }
  // Docker's marker for an OAuth identity token, exchanged at the realm: not a password to send.
  if (username === '<token>') throw helperError(program, host, 'answered with an identity token, which picture-book cannot use');
  return new Credentials(username, secret);
}
