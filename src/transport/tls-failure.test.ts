import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { after, before, test } from 'node:test';
import { TlsError } from '../errors/index.js';
import { AgentPool } from './agent-pool.js';
import { tlsFailure } from './tls-failure.js';
import { writeSelfSignedCertificate } from './tls-test-kit.js';
import { Transport } from './transport.js';

/**
 * A certificate for another name than the one asked for: the real registry of the harness always
 * has a loopback certificate, so a tiny TLS server stands in for this one case.
 */
let dir: string;
let certFile: string;
let server: Server;
let host: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-tls-'));
  certFile = join(dir, 'other.crt');
  const keyFile = join(dir, 'other.key');
  await writeSelfSignedCertificate(certFile, keyFile, { commonName: 'other.example', altName: 'DNS:other.example' });
  server = createServer({ cert: await readFile(certFile), key: await readFile(keyFile) }, (socket) =>
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

test('a certificate for another host name is a TLS error saying so', async () => {
  const agents = new AgentPool();
  try {
    const transport = new Transport(host, { scheme: 'https', caFile: certFile, retry: { maxAttempts: 1 } }, { agents });
    await assert.rejects(transport.request({ method: 'GET', path: '/v2/', scopes: [], expect: [200] }), (error: Error) => {
      assert.ok(error instanceof TlsError);
      assert.equal(error.code, 'TLS');
      assert.equal(error.problem, 'hostname-mismatch');
      assert.match(
        error.message,
        /TLS: the server's certificate is not issued for this host name \(ERR_TLS_CERT_ALTNAME_INVALID: [^)]*127\.0\.0\.1 is not in the cert's list[^)]*\); use the name it was issued for, or .*tlsVerify: false/,
      );
      return true;
    });
    const untrusted = new Transport(host, { scheme: 'https', retry: { maxAttempts: 1 } }, { agents });
    await assert.rejects(untrusted.request({ method: 'GET', path: '/v2/', scopes: [], expect: [200] }), {
      code: 'TLS',
      problem: 'unknown-ca',
    });
  } finally {
    await agents.close();
  }
});

test('certificate codes are sorted into what the user can do; other failures are not TLS', () => {
  const cases: Array<[Record<string, string>, string | undefined]> = [
    [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'expired'],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, 'unknown-ca'],
    [{ code: 'EPROTO', message: 'write EPROTO 40B8:error:0A00010B:SSL routines:ssl3_get_record:wrong version number' }, 'not-tls'],
    [{ code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', message: 'sslv3 alert handshake failure' }, 'handshake'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, undefined],
    [{ code: 'EPROTO', message: 'some other protocol error' }, undefined],
  ];
  for (const [fields, problem] of cases) {
    const wrapped = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error(fields.message), { code: fields.code }) });
    assert.equal(tlsFailure('GET', 'https://r.example/v2/', wrapped)?.problem, problem, fields.code);
  }
});
