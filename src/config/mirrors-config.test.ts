import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useConfigDir } from './config-test-kit.js';
import { redactConfig } from './index.js';

const config = useConfigDir('pb-mirrors-config-');
async function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const { file, result } = await config.load(yaml, env);
  return { file, loaded: await result };
}
const { problems } = config;

const RULES = `registries:
  - hostname: mirror.example:5000
    repository: mirror
    mirrors:
      - source: quay.io/coreos/etcd
        tags: {semver: '>=3.5 <4', latest: 3}
        target: tools/etcd
        platforms: [linux/amd64, linux/arm64]
        force: true
      - source: 'registry.internal:5000/team/'
        repositories: {exclude: ['team/old-.*']}
        tags: {include: ['v.*'], exclude: ['.*-rc.*']}
        required: true
      - source: 'registry.internal:5000'
`;

test('mirrors: rules load as written, beside images: (explicit all-tags forms too) and alone (no script or images needed)', async () => {
  const { loaded } = await load(RULES);
  const [registry] = loaded.config.registries;
  assert.deepEqual(registry?.mirrors, [
    {
      source: 'quay.io/coreos/etcd',
      tags: { semver: '>=3.5 <4', latest: 3 },
      target: 'tools/etcd',
      platforms: ['linux/amd64', 'linux/arm64'],
      force: true,
    },
    {
      source: 'registry.internal:5000/team/',
      repositories: { exclude: ['team/old-.*'] },
      tags: { include: ['v.*'], exclude: ['.*-rc.*'] },
      required: true,
    },
    { source: 'registry.internal:5000' },
  ]);
  const withImages = await load(
    "registries:\n  - hostname: mirror.example\n    images: ['quay.io/coreos/etcd:*', 'quay.io/coreos/etcd:/v3\\.5\\..*/', nginx]\n",
  );
  assert.deepEqual(withImages.loaded.config.registries[0]?.images, ['quay.io/coreos/etcd:*', 'quay.io/coreos/etcd:/v3\\.5\\..*/', 'nginx']);
  assert.deepEqual(withImages.loaded.config.registries[0].mirrors, []);
});

test('a bad rule is reported at its own key with file:line:col, every problem at once', async () => {
  const found = await problems(
    [
      'registries:',
      '  - hostname: mirror.example',
      '    mirrors:',
      '      - source: quay.io/coreos/etcd',
      "        tags: {include: ['v3(']}",
      '      - source: quay.io/coreos/',
      '        target: tools/etcd',
      '      - source: quay.io/coreos/etcd',
      '        tags: {latest: 0, semver: ">=banana"}',
      '        platform: [linux/amd64]',
      '      - source: quay.io/coreos/etcd',
      '        platforms: [linux]',
      '',
    ].join('\n'),
  );
  assert.deepEqual(found, [
    '5:26 registries[0].mirrors[0].tags.include[0]: invalid regular expression "v3(": Unterminated group',
    '7:17 registries[0].mirrors[1].target: renames one repository, but this source names many: a namespace or registry rule keeps the source paths',
    '9:24 registries[0].mirrors[2].tags.latest: must be a whole number of at least 1, got 0',
    '10:9 registries[0].mirrors[2].platform: unknown key "platform" (did you mean "platforms"?)',
    '12:21 registries[0].mirrors[3].platforms[0]: invalid platform "linux": expected os/arch or os/arch/variant (linux/arm64/v8)',
  ]);
});

test('an images: entry with a bad tag regex is refused at its place; a plain reference keeps its checks', async () => {
  const found = await problems("registries:\n  - hostname: mirror.example\n    images: ['quay.io/coreos/etcd:/v3(/', 'quay.io/Bad/x']\n");
  assert.equal(found.length, 2);
  assert.match(
    found[0] ?? '',
    /^3:14 registries\[0\]\.images\[0\]: invalid image "quay\.io\/coreos\/etcd:\/v3\(\/": invalid regular expression "v3\(": Unterminated group$/,
  );
  assert.match(
    found[1] ?? '',
    /^3:43 registries\[0\]\.images\[1\]: invalid reference "quay\.io\/Bad\/x": path component "Bad" must be lowercase/,
  );
});

test('a pull DockerConfigJSON without an entry for a mirrors: source host is a warning naming the rule', async () => {
  const auth = Buffer.from(JSON.stringify({ auths: { 'other.example': { auth: Buffer.from('u:p').toString('base64') } } })).toString(
    'base64',
  );
  const { file, loaded } = await load(
    `registries:\n  - hostname: mirror.example\n    pullAuthConfig: '${auth}'\n    mirrors:\n      - source: 'registry.internal:5000/team/'\n`,
  );
  assert.deepEqual(loaded.warnings, [
    `${file}:3:21: registries[0].pullAuthConfig: DockerConfigJSON has no entry for the source registry "registry.internal:5000" of mirrors[0] (it lists "other.example"): images from "registry.internal:5000" are pulled without credentials`,
  ]);
});

test('the redacted view (the API) shows the rules; a source from the environment is shown as it is, like images:', async () => {
  const { loaded } = await load(
    'registries:\n  - hostname: mirror.example\n    pushAuthConfig: u:Push-Secret-1\n    mirrors:\n      - {source: "${SRC}/team/", tags: {latest: 2}}\n',
    { SRC: 'registry.internal:5000' },
  );
  const view = redactConfig(loaded.config) as { registries: Array<Record<string, unknown>> };
  assert.deepEqual(view.registries[0]?.mirrors, [{ source: 'registry.internal:5000/team/', tags: { latest: 2 } }]);
  assert.equal(JSON.stringify(view).includes('Push-Secret-1'), false);
  assert.deepEqual(loaded.config.fromEnvironment, [], 'a source is an identity field: nothing to mask in logs');
});
