import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidReferenceError } from '../errors/index.js';
import { isLoopbackHost, parseRegistryHost } from './index.js';

const normalised: Array<[string, string]> = [
  ['quay.io', 'quay.io'],
  ['Quay.IO', 'quay.io'],
  ['docker.io', 'docker.io'],
  ['index.docker.io', 'docker.io'],
  ['Registry-1.Docker.io', 'docker.io'],
  ['registry.hub.docker.com', 'docker.io'],
  // With a port it is another endpoint, not the Hub alias.
  ['index.docker.io:8443', 'index.docker.io:8443'],
  ['my-registry.com:443', 'my-registry.com:443'],
  ['localhost', 'localhost'],
  ['localhost:5000', 'localhost:5000'],
  ['registry', 'registry'],
  ['127.0.0.1:5001', '127.0.0.1:5001'],
  ['10.1.2.3', '10.1.2.3'],
  ['[::1]', '[::1]'],
  ['[::1]:5000', '[::1]:5000'],
  ['[2001:DB8::AB]:65535', '[2001:db8::ab]:65535'],
  ['x:1', 'x:1'],
];

for (const [input, expected] of normalised) {
  test(`parseRegistryHost(${input}) = ${expected}`, () => {
    assert.equal(parseRegistryHost(input), expected);
  });
}

const invalid: Array<[string, string]> = [
  ['', 'is empty'],
  ['https://reg.example', 'must not have a scheme (drop "http://" or "https://")'],
  ['reg.example/v2', 'must be a host name or IP with an optional port, without path'],
  ['reg example', 'must be a host name or IP with an optional port, without path'],
  ['reg.example:', 'port must be 1-65535'],
  ['reg.example:0', 'port must be 1-65535'],
  ['reg.example:65536', 'port must be 1-65535'],
  ['reg.example:-1', 'port must be 1-65535'],
  ['reg.example:5000:1', 'port must be 1-65535'],
  [':5000', 'has no host name'],
  ['bad_host.example', 'has an invalid host name "bad_host.example"'],
  ['host-.example', 'has an invalid host name "host-.example"'],
  ['example.com.', 'has an invalid host name "example.com."'],
  ['::1', 'has an invalid IPv6 address (write it in brackets, e.g. [::1]:5000)'],
  ['[::1', 'has an invalid IPv6 address (write it in brackets, e.g. [::1]:5000)'],
  ['[1:2:3:4:5:6:7:8:9]', 'has an invalid IPv6 address (write it in brackets, e.g. [::1]:5000)'],
  ['[::ffff:127.0.0.1]', 'has an invalid IPv6 address (write it in brackets, e.g. [::1]:5000)'],
  ['[]:5000', 'has an invalid IPv6 address (write it in brackets, e.g. [::1]:5000)'],
];

for (const [input, reason] of invalid) {
  test(`parseRegistryHost rejects ${JSON.stringify(input)}: ${reason}`, () => {
    assert.throws(
      () => parseRegistryHost(input),
      (error: unknown) => {
        assert.ok(error instanceof InvalidReferenceError);
        assert.equal(error.part, 'registry host');
        assert.equal(error.message, `invalid reference "${input}": registry host ${reason}`);
        return true;
      },
    );
  });
}

test('isLoopbackHost: localhost, 127.0.0.0/8 and ::1, with or without port', () => {
  const loopback = [
    'localhost',
    'LocalHost',
    'localhost:5000',
    '127.0.0.1',
    '127.1.2.3:80',
    '127.255.255.255',
    '[::1]',
    '[::1]:5000',
    '::1',
    '0:0:0:0:0:0:0:1',
    '[0::1]:80',
  ];
  for (const host of loopback) assert.equal(isLoopbackHost(host), true, host);
  const remote = [
    '10.0.0.1',
    '128.0.0.1',
    '127.256.0.1',
    '127.0.0',
    'example.com',
    'localhost.example.com:5000',
    '127.0.0.1.nip.io',
    '[::2]',
    '[1::1]',
    '1::',
    '::',
    '[::]:5000',
    'docker.io',
  ];
  for (const host of remote) assert.equal(isLoopbackHost(host), false, host);
});

test('a host with credentials is refused as such, and the password is masked in the quote', () => {
  const reason =
    'registry host must not contain credentials ("user:password@"): give them separately (pushAuthConfig/pullAuthConfig, --src-creds/--dest-creds)';
  for (const [input, shown] of [
    ['https://tester:Pw1@reg.example', 'https://tester:***@reg.example'],
    ['tester:Pw1@reg.example:5000', 'tester:***@reg.example:5000'],
    ['user@reg.example', '***@reg.example'],
  ]) {
    assert.throws(
      () => parseRegistryHost(input ?? ''),
      (error: unknown) => {
        assert.ok(error instanceof InvalidReferenceError);
        assert.equal(error.message, `invalid reference "${shown}": ${reason}`);
        assert.equal(error.message.includes('Pw1'), false);
        return true;
      },
    );
  }
});
