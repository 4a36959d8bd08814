import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CredentialStore } from './credential-store.js';
import { Credentials } from './credentials.js';
import { parseDockerConfig } from './docker-config.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

test('lookup normalises the registry the same way keys were normalised', () => {
  const store = new CredentialStore([['https://index.docker.io/v1/', new Credentials('hub', 'p')]]);
  assert.equal(store.lookup('docker.io')?.username, 'hub');
  assert.equal(store.lookup('registry-1.docker.io')?.username, 'hub');
  assert.equal(store.lookup('index.docker.io')?.username, 'hub');
  assert.equal(store.lookup('quay.io'), undefined);
});

test('explicit entries win, then documents in the order added, then the config file', () => {
  const explicit = new Credentials('explicit', 'p');
  const doc = parseDockerConfig(JSON.stringify({ auths: { 'quay.io': { auth: b64('doc:p') }, 'ghcr.io': { auth: b64('doc:p') } } }));
  const file = parseDockerConfig(
    JSON.stringify({
      auths: { 'quay.io': { auth: b64('file:p') }, 'ghcr.io': { auth: b64('file:p') }, 'gcr.io': { auth: b64('file:p') } },
    }),
  );
  const store = new CredentialStore([['Quay.io', explicit]]).addAll(doc).addAll(file);
  assert.equal(store.lookup('quay.io'), explicit);
  assert.equal(store.lookup('ghcr.io')?.username, 'doc');
  assert.equal(store.lookup('gcr.io')?.username, 'file');
});

test('add() is chainable and does not replace an earlier entry', () => {
  const store = new CredentialStore();
  assert.equal(
    store.add('127.0.0.1:5000', new Credentials('first', 'p')).add('http://127.0.0.1:5000/v2/', new Credentials('second', 'p')),
    store,
  );
  assert.equal(store.lookup('127.0.0.1:5000')?.username, 'first');
  assert.equal(store.lookup('127.0.0.1:5001'), undefined, 'the port is part of the key');
});
