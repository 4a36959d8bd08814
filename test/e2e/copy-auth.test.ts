import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseUserPass } from '../../src/auth/credentials.js';
import { CopyEngine } from '../../src/copy/index.js';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry } from '../harness/index.js';
import { ociImage } from './fixtures.js';

/** Every auth and TLS variant as a target; the source is a plain registry. */
let source: TestRegistry;
let built: BuiltImage;

before(async () => {
  source = await startRegistry();
  built = await pushImage(ociImage, source, 'auth/app:v1');
});

after(async () => {
  await source?.stop();
});

async function copyTo(target: TestRegistry, repo: string, options: { user?: string; password?: string; tlsVerify?: boolean; caFile?: string } = {}) {
  const engine = new CopyEngine();
  try {
    return await engine.copy({
      source: `${source.host}/auth/app:v1`,
      target: `${target.host}/${repo}:v1`,
      targetEndpoint: {
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
      await target?.stop();
    });

    test('right credentials: the image is copied', async () => {
      const result = await copyTo(target, 'good/app', { user: target.username, password: target.password });
      assert.equal(result.digest, built.digest);
      assert.equal((await skopeoInspectRaw(`${target.host}/good/app:v1`, target)).digest, built.digest);
      if (auth === 'token') {
        const fetches = target.tokenIssuer?.requests ?? [];
        assert.ok(fetches.length >= 1);
        assert.ok(fetches.length <= 3, `tokens are cached per scope set, got ${fetches.length} token requests`);
      }
    });

    test('wrong password: a clear auth error naming the registry, without the password', async () => {
      const wrong = 'definitely-wrong-pass';
      await assert.rejects(copyTo(target, 'bad/app', { user: target.username, password: wrong }), (error: Error & { code?: string }) => {
        assert.equal(error.name, 'AuthError');
        assert.equal(error.code, 'UNAUTHORIZED');
        assert.match(error.message, new RegExp(target.host.replace(/\./g, '\\.')));
        assert.match(error.message, auth === 'token' ? /credentials for user "tester" were rejected/ : /credentials rejected/);
        assertNoSecret(error, wrong);
        return true;
      });
    });

    test('no credentials: refused with a clear auth error', async () => {
      await assert.rejects(copyTo(target, 'anon/app'), { name: 'AuthError' });
    });
  });
}

describe('TLS with a self-signed certificate', () => {
  let target: TestRegistry;
  before(async () => {
    target = await startRegistry({ tls: true });
  });
  after(async () => {
    await target?.stop();
  });

  test('trusted through a CA file', async () => {
    const result = await copyTo(target, 'tls/ca', { caFile: target.caFile });
    assert.equal(result.digest, built.digest);
  });

  test('accepted with verification off', async () => {
    const result = await copyTo(target, 'tls/noverify', { tlsVerify: false });
    assert.equal(result.digest, built.digest);
  });

  test('refused when the certificate is not trusted, with the TLS reason', async () => {
    await assert.rejects(copyTo(target, 'tls/untrusted'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'NETWORK');
      assert.match(error.message, /certificate/i);
      return true;
    });
  });
});
