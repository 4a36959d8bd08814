import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { errorMessage } from '../errors/index.js';
import { checkFile } from './file-check.js';

/** A CA bundle is a few hundred kilobytes at most; anything much larger is the wrong file. */
const MAX_CA_FILE_BYTES = 8 * 1024 * 1024;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Why the file at `path` cannot be used as CA certificates (PEM), or undefined. A private key or
 * a file without certificates would otherwise end up as the only trusted CA and every TLS
 * connection would fail with an opaque handshake error. Never quotes the file's content.
 */
export function caFileProblem(path: string): string | undefined {
  const access = checkFile(path, 'CA file', false);
  if (access) return access;
  let text: string;
  try {
    if (statSync(path).size > MAX_CA_FILE_BYTES)
      return `CA file is too large to be PEM certificates (over ${MAX_CA_FILE_BYTES / 1024 / 1024} MiB): ${path}`;
    text = readFileSync(path, 'latin1');
  } catch (error) {
    return `CA file cannot be read: ${path}: ${errorMessage(error)}`;
  }
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const certificates = blocks.filter((b) => b[1] === 'CERTIFICATE');
  if (certificates.length === 0) {
    const kinds = [...new Set(blocks.map((b) => b[1] ?? ''))];
    if (kinds.some((kind) => kind.includes('PRIVATE KEY')))
      return `CA file is a private key, not a CA certificate: ${path} (give the CA's certificate: a PEM "BEGIN CERTIFICATE" block)`;
    if (kinds.length > 0)
      return `CA file is not a CA certificate: ${path} (it holds ${kinds.join(', ')}, no PEM "BEGIN CERTIFICATE" block)`;
    return `CA file is not a CA certificate: ${path} (no PEM "BEGIN CERTIFICATE" block; a DER file converts with openssl x509 -inform der -in FILE)`;
  }
  for (const [n, block] of certificates.entries()) {
    try {
      new X509Certificate(block[0]);
    } catch {
      return `CA file has a certificate that cannot be read (PEM block ${n + 1}): ${path}`;
    }
  }
  return undefined;
}
