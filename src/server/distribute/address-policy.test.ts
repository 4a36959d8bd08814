import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressPolicy, embeddedIPv4, oddAddressProblem } from './address-policy.js';
import { parseEndpoint } from './endpoint-address.js';

test('IP addresses in unusual forms are refused as written (URL parsers would turn them into 127.0.0.1)', () => {
  for (const host of [
    '0x7f000001',
    '2130706433',
    '0177.0.0.1',
    '127.1',
    '127.0.1',
    '0x7f.0.0.1',
    '127.0.0.01',
    '127.0.0.1.',
    '256.0.0.1',
    '0',
  ]) {
    assert.match(oddAddressProblem(host) ?? '', /unusual form/, host);
    if (host !== '256.0.0.1') assert.throws(() => parseEndpoint(`http://${host}:5000/v2`), /unusual form/, host);
  }
  for (const host of ['127.0.0.1', '10.0.0.1', 'registry.example', 'r2d2.example', '[::1]', 'localhost'])
    assert.equal(oddAddressProblem(host), undefined, host);
  assert.throws(() => parseEndpoint('0x7f000001:5000'), /unusual form/, 'without a scheme too');
});

test('default policy: public and loopback addresses pass; metadata, unspecified, link-local, private and multicast are refused', () => {
  const policy = new AddressPolicy();
  const refused: Array<[string, RegExp]> = [
    ['169.254.169.254', /cloud metadata/],
    ['fd00:ec2::254', /cloud metadata/],
    ['::ffff:169.254.169.254', /cloud metadata/],
    ['::ffff:a9fe:a9fe', /cloud metadata/],
    ['64:ff9b::a9fe:a9fe', /cloud metadata/],
    ['2002:a9fe:a9fe::1', /cloud metadata/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['169.254.10.1', /link-local address, not in api\.distributeAllowedNetworks \(loopback\)/],
    ['fe80::1', /link-local/],
    ['10.1.2.3', /private/],
    ['172.20.0.1', /private/],
    ['192.168.1.1', /private/],
    ['fd12:3456::1', /private/],
    ['::ffff:10.0.0.1', /private/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved/],
  ];
  for (const [address, why] of refused) assert.match(policy.refuse(address) ?? '', why, address);
  for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '203.0.113.7', '2001:db8::1', '8.8.8.8'])
    assert.equal(policy.refuse(address), undefined, address);
  assert.match(policy.hostProblem('metadata.google.internal') ?? '', /metadata service/);
  assert.match(policy.hostProblem('METADATA.google.internal.') ?? '', /metadata service/);
  assert.match(policy.hostProblem('[fd00:ec2::254]') ?? '', /fd00:ec2::254 is a cloud metadata service address/);
  assert.equal(policy.hostProblem('registry.example'), undefined, 'names are checked on what they resolve to');
  assert.equal(embeddedIPv4('::1'), undefined);
});

test('the allow-list opens private ranges and removes loopback; metadata and unspecified stay refused whatever it says', () => {
  const policy = new AddressPolicy(['private', '169.254.0.0/16', '0.0.0.0/0', '::/0']);
  assert.equal(policy.refuse('10.1.2.3'), undefined);
  assert.equal(policy.refuse('169.254.10.1'), undefined);
  assert.match(policy.refuse('169.254.169.254') ?? '', /cloud metadata/);
  assert.match(policy.refuse('0.0.0.0') ?? '', /unspecified/);
  const none = new AddressPolicy([]);
  assert.match(none.refuse('127.0.0.1') ?? '', /loopback address, not in api\.distributeAllowedNetworks \(empty\)/);
  assert.equal(new AddressPolicy(['192.168.7.0/24']).refuse('192.168.7.9'), undefined);
  assert.match(new AddressPolicy(['192.168.7.0/24']).refuse('192.168.8.9') ?? '', /private/);
});
