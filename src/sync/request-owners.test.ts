import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReference } from '../reference/index.js';
import { RequestOwners } from './request-owners.js';

test('a request URL is traced to the configured registries whose sources or targets it touches', () => {
  const owners = new RequestOwners();
  owners.add(parseReference('quay.io/team/app:v1'), 'a.example');
  owners.add(parseReference('a.example/m/team/app:v1'), 'a.example');
  owners.add(parseReference('quay.io/team/app:v1'), 'b.example');
  owners.add(parseReference('quay.io/team/db:v1'), 'b.example');
  owners.add(parseReference('nginx:1'), 'b.example');
  assert.equal(owners.ownerOf('https://a.example/v2/m/team/app/blobs/uploads/1234?_state=***'), 'a.example');
  assert.equal(owners.ownerOf('https://quay.io/v2/team/db/manifests/v1'), 'b.example');
  assert.equal(owners.ownerOf('https://quay.io/v2/team/app/blobs/sha256:aa'), 'a.example, b.example', 'a source shared by two registries names both');
  assert.equal(owners.ownerOf('https://registry-1.docker.io/v2/library/nginx/manifests/1'), 'b.example', "Docker Hub's API host");
  assert.equal(owners.ownerOf('https://a.example/v2/'), 'a.example', 'by host when the path names no repository');
  assert.equal(owners.ownerOf('https://auth.example/token?scope=x'), '');
  assert.equal(owners.ownerOf('not a url'), '');
});
