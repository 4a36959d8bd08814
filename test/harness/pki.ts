import { join } from 'node:path';
import { run } from './procs.js';

export interface KeyPair {
  certFile: string;
  keyFile: string;
}

/**
 * A self-signed P-256 certificate made with openssl. Used both as the registry's TLS certificate
 * (hence the loopback subjectAltName) and as the token issuer's signing certificate (ES256 needs P-256).
 */
export async function selfSignedCert(dir: string, name: string, commonName: string): Promise<KeyPair> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '3',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { certFile, keyFile };
}

/** A bcrypt htpasswd line (the registry accepts nothing else). */
export async function htpasswdLine(username: string, password: string): Promise<string> {
  const { stdout } = await run('htpasswd', ['-Bbn', username, password], [password]);
  return stdout.toString('utf8').trim();
}
