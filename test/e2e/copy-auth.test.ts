import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parseUserPass } from '../../src/auth/credentials.js';
import { CopyEngine } from '../../src/copy/index.js';
import type { RetryPolicy } from '../../src/transport/index.js';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { ociImage } from './fixtures.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Every auth and TLS variant as a target; the source is a plain registry. */
let source: TestRegistry;
let built: BuiltImage;

before(async () => {
  source = await startRegistry();
  built = await pushImage(ociImage, source, 'auth/app:v1');
});

after(async () => {
  const started = startedSoFar({ source });
  await started.source?.stop();
});

async function copyTo(
  target: TestRegistry,
  repo: string,
  options: { user?: string; password?: string; tlsVerify?: boolean; caFile?: string; retry?: Partial<RetryPolicy> } = {},
) {
  const engine = new CopyEngine();
  try {
    return await engine.copy({
      source: `${source.host}/auth/app:v1`,
      target: `${target.host}/${repo}:v1`,
      targetEndpoint: {
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.user !== undefined ? { credentials: parseUserPass(`${options.user}:${options.password ?? ''}`) } : {}),
        ...(options.tlsVerify === false ? { tlsVerify: false } : {}),
        ...(options.caFile ? { caFile: options.caFile } : {}),
      },
    });
  } finally {
    await engine.close();
  }
}

function assertNoSecret(error: unknown, secret: string): void {
  const text = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ''}`;
  assert.equal(text.includes(secret), false, 'the password must not appear in the error');
}

for (const auth of ['htpasswd', 'token'] as const) {
  describe(`${auth} auth`, () => {
    let target: TestRegistry;
    before(async () => {
      target = await startRegistry({ auth });
    });
    after(async () => {
      const started = startedSoFar({ target });
      await started.target?.stop();
    });

    test('right credentials: the image is copied', async () => {
      const result = await copyTo(target, 'good/app', { user: target.username, password: target.password });
      const userAgents = new Set(target.tokenIssuer?.requestHeaders.map((h) => h['user-agent']));
      assert.equal(result.digest, built.digest);
      assert.equal((await skopeoInspectRaw(`${target.host}/good/app:v1`, target)).digest, built.digest);
      if (auth === 'token') {
        const fetches = target.tokenIssuer?.requests ?? [];
        assert.ok(fetches.length >= 1);
        assert.ok(fetches.length <= 3, `tokens are cached per scope set, got ${fetches.length} token requests`);
        assert.deepEqual(userAgents, new Set([`picture-book/${version}`]), 'the token service sees the User-Agent');
      }
    });

    test('wrong password: a clear auth error naming the registry, without the password', async () => {
      const wrong = 'definitely-wrong-pass';
      await assert.rejects(copyTo(target, 'bad/app', { user: target.username, password: wrong }), (error: Error & { code?: string }) => {
        assert.equal(error.name, 'AuthError');
        assert.equal(error.code, 'UNAUTHORIZED');
        assert.match(error.message, new RegExp(target.host.replace(/\./g, '\\.')));
        const by = auth === 'token' ? `its token service ${target.tokenIssuer?.realm ?? ''}` : 'this registry';
        assert.ok(error.message.startsWith(`${target.host}: credentials for user "tester" were rejected by ${by} (`), error.message);
        assertNoSecret(error, wrong);
        return true;
      });
    });

    test('no credentials: an auth error that says none were configured (not that they were rejected)', async () => {
      await assert.rejects(copyTo(target, 'anon/app'), (error: Error & { code?: string }) => {
        assert.equal(error.name, 'AuthError');
        assert.equal(error.code, 'UNAUTHORIZED');
        const why = auth === 'token' ? 'and it refuses anonymous access to repository:anon/app:[a-z,]+' : 'which asks for them';
        assert.match(error.message, new RegExp(`^${target.host}: no credentials were configured for this registry, ${why} \\(`));
        assert.doesNotMatch(error.message, /rejected/);
        return true;
      });
    });

    if (auth === 'token') {
      test('right credentials without push rights: the user was not granted the scope', async () => {
        const issuer = target.tokenIssuer;
        assert.ok(issuer);
        issuer.pullOnly = ['readonly/app'];
        try {
          await assert.rejects(copyTo(target, 'readonly/app', { user: target.username, password: target.password }), (error: Error) => {
            assert.equal(error.name, 'AuthError');
            assert.match(
              error.message,
              new RegExp(`^${target.host}: user "tester" was not granted repository:readonly/app:(pull,push|push,pull) \\(`),
            );
            return true;
          });
        } finally {
          issuer.pullOnly = [];
        }
      });
    }
  });
}

describe('a token service with passing faults', () => {
  let target: TestRegistry;
  before(async () => {
    target = await startRegistry({ auth: 'token' });
  });
  after(async () => {
    const started = startedSoFar({ target });
    await started.target?.stop();
  });
  const fast = { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 4 };

  test('5xx and 429 from the token service are retried like any request, then the copy goes on', async () => {
    const issuer = target.tokenIssuer;
    assert.ok(issuer);
    issuer.failNext(503, 1);
    issuer.failNext(429, 1, { 'retry-after': '0' });
    issuer.failNext(500, 1);
    const result = await copyTo(target, 'flaky-token/app', { user: target.username, password: target.password, retry: fast });
    assert.equal(result.digest, built.digest);
    assert.deepEqual(
      issuer.requests.slice(0, 4).map((r) => r.status),
      [503, 429, 500, 200],
    );
  });

  test('a token service that keeps answering 5xx is an HTTP error naming it, not rejected credentials', async () => {
    const issuer = target.tokenIssuer;
    assert.ok(issuer);
    issuer.requests.length = 0;
    issuer.failNext(503, 100);
    try {
      await assert.rejects(
        copyTo(target, 'down-token/app', { user: target.username, password: target.password, retry: fast }),
        (error: Error & { code?: string; status?: number }) => {
          assert.equal(error.name, 'HttpError', error.message);
          assert.equal(error.code, 'HTTP');
          assert.equal(error.status, 503);
          assert.match(error.message, /token service/);
          assert.match(error.message, new RegExp(issuer.realm.replace(/[.:/]/g, '\\$&')));
          assert.doesNotMatch(error.message, /rejected|UNAUTHORIZED/);
          return true;
        },
      );
    } finally {
      issuer.clearFailures();
    }
    assert.equal(issuer.requests.filter((r) => r.status === 503).length, fast.maxAttempts, 'every attempt of the policy was made');
  });
});

describe('a plain-http token realm', () => {
  let target: TestRegistry;
  before(async () => {
    target = await startRegistry({ auth: 'token' });
  });
  after(async () => {
    const started = startedSoFar({ target });
    await started.target?.stop();
  });

  test('is not sent credentials for a registry on another host (here: localhost, the realm on 127.0.0.1)', async () => {
    const issuer = target.tokenIssuer;
    assert.ok(issuer);
    issuer.requests.length = 0;
    const engine = new CopyEngine();
    try {
      const viaName = target.host.replace('127.0.0.1', 'localhost');
      await assert.rejects(
        engine.copy({
          source: `${source.host}/auth/app:v1`,
          target: `${viaName}/realm/app:v1`,
          targetEndpoint: { credentials: parseUserPass(`${target.username}:${target.password}`) },
        }),
        (error: Error & { code?: string }) => {
          assert.equal(error.name, 'AuthError');
          assert.match(
            error.message,
            new RegExp(
              `^${viaName}: credentials for user "tester" were not sent to the token service ${issuer.realm.replace(/[.:/]/g, '\\$&')}: it is plain http`,
            ),
          );
          assertNoSecret(error, target.password ?? '');
          return true;
        },
      );
    } finally {
      await engine.close();
    }
    assert.deepEqual(issuer.requests, [], 'the token service heard nothing');
  });
});

describe('TLS with a self-signed certificate', () => {
  let target: TestRegistry;
  before(async () => {
    target = await startRegistry({ tls: true });
  });
  after(async () => {
    const started = startedSoFar({ target });
    await started.target?.stop();
  });

  test('trusted through a CA file', async () => {
    const result = await copyTo(target, 'tls/ca', { caFile: target.caFile });
    assert.equal(result.digest, built.digest);
  });

  test('accepted with verification off', async () => {
    const result = await copyTo(target, 'tls/noverify', { tlsVerify: false });
    assert.equal(result.digest, built.digest);
  });

  test('refused when the certificate is not trusted: a TLS error saying why and what to do', async () => {
    await assert.rejects(copyTo(target, 'tls/untrusted'), (error: Error & { code?: string; problem?: string }) => {
      assert.equal(error.name, 'TlsError');
      assert.equal(error.code, 'TLS');
      assert.equal(error.problem, 'unknown-ca');
      assert.match(
        error.message,
        /^HEAD https:\/\/127\.0\.0\.1:\d+\/v2\/tls\/untrusted\/manifests\/v1: TLS: the server's certificate is not signed by a CA picture-book trusts \(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\); trust its CA with caFile .*--dest-ca-file.*tlsVerify: false/,
      );
      return true;
    });
  });

  test('https to a plain-http registry: a TLS error saying it does not speak TLS and how to say insecure', async () => {
    const engine = new CopyEngine();
    try {
      await assert.rejects(
        engine.copy({
          source: `${source.host}/auth/app:v1`,
          target: `${source.host}/tls/plain:v1`,
          targetEndpoint: { scheme: 'https', retry: { maxAttempts: 1 } },
        }),
        (error: Error & { code?: string; problem?: string }) => {
          assert.equal(error.code, 'TLS');
          assert.equal(error.problem, 'not-tls');
          assert.match(
            error.message,
            /TLS: the server does not speak TLS here \(ERR_SSL_WRONG_VERSION_NUMBER: wrong version number\); if it is a plain-http registry, say so with insecure: true/,
          );
          return true;
        },
      );
    } finally {
      await engine.close();
    }
  });
});
