import assert from 'node:assert/strict';
import { test } from 'node:test';
import { format, inspect } from 'node:util';
import { CredentialsError, PictureBookError } from '../errors/index.js';
import { Credentials, parseUserPass } from './credentials.js';

const SECRET = 's3cr3t:with:colons';

test('the password is readable on purpose but redacted in JSON, strings and inspect', () => {
  const creds = new Credentials('alice', SECRET);
  assert.equal(creds.username, 'alice');
  assert.equal(creds.password, SECRET);
  assert.deepEqual(creds.toJSON(), { username: 'alice', password: '***' });
  const renderings = [
    JSON.stringify(creds),
    JSON.stringify({ nested: { creds } }),
    String(creds),
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- interpolation is one of the renderings under test
    `${creds}`,
    inspect(creds),
    inspect({ deep: [creds] }, { depth: 5 }),
    inspect(creds, { showHidden: true }),
    inspect(creds, { customInspect: false }),
    format('%o %O %j %s', creds, creds, creds, creds),
    Object.keys(creds).join(','),
  ];
  for (const text of renderings) assert.ok(!text.includes('s3cr3t'), `leaked in ${text}`);
  assert.match(JSON.stringify(creds), /"username":"alice"/);
  assert.match(inspect(creds), /alice/);
});

test('basicHeader is base64 of user:pass', () => {
  const header = new Credentials('alice', SECRET).basicHeader();
  assert.equal(header, `Basic ${Buffer.from(`alice:${SECRET}`).toString('base64')}`);
  assert.equal(Buffer.from(header.slice('Basic '.length), 'base64').toString(), `alice:${SECRET}`);
});

test('parseUserPass splits at the first colon', () => {
  const creds = parseUserPass(`bob:${SECRET}`);
  assert.equal(creds.username, 'bob');
  assert.equal(creds.password, SECRET);
  assert.equal(parseUserPass('bob:').password, '', 'an empty password is allowed, as docker allows it');
});

for (const [value, reason] of [
  ['no-colon-s3cr3t', 'no ":" found'],
  [':s3cr3t', 'the username is empty'],
  ['', 'no ":" found'],
] as const) {
  test(`parseUserPass rejects ${JSON.stringify(value)} without echoing it`, () => {
    assert.throws(
      () => parseUserPass(value),
      (error: unknown) => {
        assert.ok(error instanceof CredentialsError);
        assert.ok(error instanceof PictureBookError);
        assert.equal(error.code, 'CREDENTIALS_INVALID');
        assert.ok(error.message.includes(reason), error.message);
        assert.ok(!error.message.includes('s3cr3t'), error.message);
        return true;
      },
    );
  });
}
