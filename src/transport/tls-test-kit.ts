import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** Certificates for tests that read or serve TLS, made with openssl. Not used in production. */

export interface CertificateSubject {
  commonName: string;
  /** A subjectAltName such as `DNS:other.example`; none by default. */
  altName?: string;
}

/** Writes a self-signed P-256 certificate to `certFile` and its key to `keyFile`. */
export async function writeSelfSignedCertificate(certFile: string, keyFile: string, subject: CertificateSubject): Promise<void> {
  await promisify(execFile)('openssl', [
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
    `/CN=${subject.commonName}`,
    ...(subject.altName ? ['-addext', `subjectAltName=${subject.altName}`] : []),
  ]);
}
