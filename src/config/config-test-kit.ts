import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { writeSelfSignedCertificate } from '../transport/tls-test-kit.js';
import { loadConfig } from './index.js';

/** Config files written to a temp dir and loaded, for the config loader's tests. Not used in production. */

/** A registry with a syncer script, and `extra` lines after it. */
export const reg = (extra = '') => `registries:\n  - hostname: reg.example\n    repository: mirror\n    syncerScript: ./list.sh\n${extra}`;

export interface ConfigDir {
  /** The temp dir: configs are written here, next to the files they point at. */
  readonly path: string;
  /** Writes `yaml` as a new config file and starts loading it. */
  load: (yaml: string, env?: NodeJS.ProcessEnv) => Promise<{ file: string; result: ReturnType<typeof loadConfig> }>;
  /** Loads a config expected to be invalid and returns its problems as `line:col path: message`. */
  problems: (yaml: string, env?: NodeJS.ProcessEnv) => Promise<string[]>;
}

/**
 * A temp dir for the calling test file (made before its tests, removed after) holding what configs
 * point at: an executable syncer script `list.sh`, a `not-exec.sh`, a real CA certificate
 * `real-ca.pem` with its `key.pem`, a `not-pem.txt` and a `broken-cert.pem`.
 */
export function useConfigDir(prefix: string): ConfigDir {
  let dir = '';
  let counter = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    await writeFile(join(dir, 'list.sh'), '#!/bin/sh\necho nginx:1.25\n');
    await chmod(join(dir, 'list.sh'), 0o755);
    await writeFile(join(dir, 'not-exec.sh'), '#!/bin/sh\n');
    await chmod(join(dir, 'not-exec.sh'), 0o644);
    // A real certificate and its key: a CA file is checked for a PEM certificate.
    await writeSelfSignedCertificate(join(dir, 'real-ca.pem'), join(dir, 'key.pem'), { commonName: 'test-ca' });
    await writeFile(join(dir, 'not-pem.txt'), 'just text\n');
    await writeFile(join(dir, 'broken-cert.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const load = async (yaml: string, env: NodeJS.ProcessEnv = {}) => {
    const file = join(dir, `config-${++counter}.yaml`);
    await writeFile(file, yaml);
    return { file, result: loadConfig(file, env) };
  };
  return {
    get path() {
      return dir;
    },
    load,
    problems: async (yaml, env = {}) => {
      const { result } = await load(yaml, env);
      try {
        await result;
      } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error.problems.map((p) => `${p.line}:${p.column} ${p.path ? `${p.path}: ` : ''}${p.message}`);
      }
      assert.fail('the config was accepted');
    },
  };
}

/** Configs that must be refused: a title, the YAML, the problems expected (`DIR` stands for the temp dir). */
export type InvalidConfigCase = [title: string, yaml: string, expected: string[]];

/** One test per case: exactly the problems expected, and no secret of the YAML quoted in them. */
export function invalidConfigTests(config: ConfigDir, cases: InvalidConfigCase[]): void {
  for (const [title, yaml, expected] of cases) {
    test(`invalid config: ${title}`, async () => {
      const got = await config.problems(yaml);
      assert.deepEqual(
        got,
        expected.map((e) => e.replace('DIR', config.path)),
      );
      for (const secret of ['SecretAlias99', 'Pw-2b', 'Pw1', 'Pw1-no-colon'])
        assert.equal(got.join('\n').includes(secret), false, `${secret} is quoted`);
    });
  }
}
