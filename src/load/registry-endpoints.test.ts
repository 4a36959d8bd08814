import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Credentials } from '../auth/credentials.js';
import type { AuthSetting, RegistryConfig, SourceSettings } from '../config/index.js';
import { sourceEndpoint, targetEndpoint } from './registry-endpoints.js';

const userpass = (user: string, password: string): AuthSetting => ({ kind: 'userpass', credentials: new Credentials(user, password) });
const dockerConfig = (entries: Record<string, [string, string]>): AuthSetting => ({
  kind: 'docker-config',
  auths: new Map(Object.entries(entries).map(([host, [user, password]]) => [host, new Credentials(user, password)])),
});

function registry(overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  return {
    hostname: 'mirror.example',
    repository: 'm',
    pullAuth: undefined,
    pushAuth: undefined,
    syncPeriod: undefined,
    syncerScript: undefined,
    syncerScriptArgs: '',
    syncerScriptTimeoutSeconds: 60,
    deleteLocalImages: false,
    images: [],
    insecure: true,
    tlsVerify: false,
    caFile: '/target-ca.pem',
    pipelining: true,
    concurrency: undefined,
    line: 1,
    ...overrides,
  };
}

const source = (overrides: Partial<SourceSettings>): SourceSettings => ({
  insecure: false,
  tlsVerify: true,
  caFile: undefined,
  auth: undefined,
  pipelining: true,
  ...overrides,
});

test('pull side: user:pass goes to every source host, a DockerConfigJSON by host; the target TLS settings stay on the push side', () => {
  const everywhere = registry({ pullAuth: userpass('puller', 'pw') });
  assert.equal(sourceEndpoint(everywhere, 'quay.io').credentials?.username, 'puller');
  assert.equal(sourceEndpoint(everywhere, 'ghcr.io').credentials?.username, 'puller');
  assert.deepEqual(Object.keys(sourceEndpoint(everywhere, 'quay.io')), ['credentials'], 'no insecure/tlsVerify/caFile of the target');
  const byHost = registry({ pullAuth: dockerConfig({ 'quay.io': ['q', 'qpw'] }) });
  assert.equal(sourceEndpoint(byHost, 'quay.io').credentials?.username, 'q');
  assert.equal(sourceEndpoint(byHost, 'ghcr.io').credentials, undefined);
  assert.deepEqual(targetEndpoint(registry()), { credentials: undefined, insecure: true, tlsVerify: false, caFile: '/target-ca.pem' });
});

test('pull side: a sources entry gives its host TLS settings and its own auth; other hosts keep pullAuthConfig', () => {
  const sources = new Map([
    ['registry.internal:5000', source({ caFile: '/internal-ca.pem', auth: userpass('internal', 'ipw') })],
    ['plain.internal', source({ insecure: true })],
    ['selfsigned.internal', source({ tlsVerify: false, auth: dockerConfig({ 'other.host': ['x', 'y'] }) })],
  ]);
  const r = registry({ pullAuth: userpass('puller', 'pw'), sources });
  // Credentials keep the password private (deepEqual would not see it): compare it in the open.
  const endpoint = (host: string) => {
    const { credentials, ...rest } = sourceEndpoint(r, host);
    return { ...rest, login: credentials ? `${credentials.username}:${credentials.password}` : undefined };
  };
  assert.deepEqual(endpoint('registry.internal:5000'), { login: 'internal:ipw', caFile: '/internal-ca.pem' });
  assert.deepEqual(endpoint('plain.internal'), { login: 'puller:pw', insecure: true });
  assert.deepEqual(
    endpoint('selfsigned.internal'),
    { login: 'puller:pw', tlsVerify: false },
    'no entry for the host in its auth: pullAuthConfig',
  );
  assert.deepEqual(endpoint('quay.io'), { login: 'puller:pw' });
});

test('pipelining: false on a registry or a sources entry turns HEAD pipelining off for that host only', () => {
  const sources = new Map([
    ['behind-proxy.example', source({ pipelining: false })],
    ['fine.example', source({ pipelining: true })],
  ]);
  const r = registry({ pipelining: false, sources });
  assert.equal(targetEndpoint(r).pipelining, false);
  assert.equal(targetEndpoint(registry()).pipelining, undefined, 'absent: the transport pipelines');
  assert.equal(sourceEndpoint(r, 'behind-proxy.example').pipelining, false);
  assert.equal(sourceEndpoint(r, 'fine.example').pipelining, undefined);
  assert.equal(sourceEndpoint(r, 'quay.io').pipelining, undefined, 'the target setting stays on the push side');
});

test('push side: the targets: entry with the longest key covering the repository gives its credentials; else pushAuthConfig; the TLS settings stay the entry', () => {
  const targets = new Map([
    ['mirror.example/team-a', { auth: userpass('alice', 'apw') }],
    ['mirror.example/team-a/deep', { auth: userpass('deep', 'dpw') }],
    ['mirror.example/team-c', { auth: dockerConfig({ 'other.host': ['x', 'y'] }) }],
  ]);
  const r = registry({ pushAuth: userpass('pusher', 'ppw'), targets });
  const login = (repository: string) => {
    const { credentials, ...rest } = targetEndpoint(r, repository);
    assert.deepEqual(rest, { insecure: true, tlsVerify: false, caFile: '/target-ca.pem' }, repository);
    return credentials ? `${credentials.username}:${credentials.password}` : undefined;
  };
  assert.deepEqual(
    ['m/team-a/app', 'team-a/app', 'team-a/deep/x/app', 'team-ab/app', 'team-c/app', 'other/app'].map(login),
    ['pusher:ppw', 'alice:apw', 'deep:dpw', 'pusher:ppw', 'pusher:ppw', 'pusher:ppw'],
    'by whole path components from the repository root; a DockerConfigJSON without the host falls back',
  );
});
