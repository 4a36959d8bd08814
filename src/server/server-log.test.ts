import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config/index.js';
import { ServerLog } from './server-log.js';

const SCRIPT_KEY = 'script-key-77aa';
const PUSH_PW = 'push-pw-31bc';

test('the server log scrubs config secrets: passwords, the API token and any value taken from the environment', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-log-'));
  try {
    await writeFile(join(dir, 'list.sh'), '#!/bin/sh\n');
    await chmod(join(dir, 'list.sh'), 0o755);
    const yaml = [
      'registries:',
      '  - hostname: mirror.example',
      '    syncerScript: ./list.sh',
      "    syncerScriptArgs: '--api-key ${SCRIPT_KEY}'",
      "    pushAuthConfig: 'pusher:${PUSH_PW}'",
      'api:',
      "  authToken: 'api-token-5e6f'",
      '',
    ].join('\n');
    await writeFile(join(dir, 'config.yaml'), yaml);
    const { config } = await loadConfig(join(dir, 'config.yaml'), { SCRIPT_KEY, PUSH_PW });
    const lines: string[] = [];
    const log = new ServerLog({ write: (line: string) => (lines.push(line), true) } as unknown as NodeJS.WritableStream);
    log.addSecrets(config);
    const leak = `curl --api-key ${SCRIPT_KEY} -u pusher:${PUSH_PW} -H 'Bearer api-token-5e6f' -H 'Authorization: Basic ${Buffer.from(`pusher:${PUSH_PW}`).toString('base64')}'`;
    log.event({
      type: 'registry-script-failed',
      registry: 'mirror.example',
      message: `exited with code 1: ${leak}`,
      stderrTail: [leak],
      time: Date.now(),
    });
    const output = lines.join('');
    assert.match(output, /registry-script-failed/);
    // The expanded value '--api-key <key>' is itself a secret (it holds one): masked whole, longest first.
    assert.match(output, /curl \*\*\* -u \*\*\* -H 'Bearer \*\*\*' -H 'Authorization: Basic \*\*\*'/, 'the line is still there, scrubbed');
    for (const secret of [SCRIPT_KEY, PUSH_PW, 'api-token-5e6f', Buffer.from(`pusher:${PUSH_PW}`).toString('base64')])
      assert.equal(output.includes(secret), false, `${secret} is in the log`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
