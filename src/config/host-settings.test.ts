import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Credentials } from '../auth/credentials.js';
import { NO_CONTEXT } from './fields.js';
import { HOST_DEFAULTS, toEndpointOptions } from './host-settings.js';
import { configSchema } from './schema.js';

test('defaults are written once: a registry entry and a sources entry that say nothing have HOST_DEFAULTS, and they become no option at all', () => {
  const parsed = configSchema(NO_CONTEXT).parse({
    registries: [{ hostname: 'reg.example', images: ['nginx'] }],
    sources: { 'quay.io': {} },
  });
  const [registry] = parsed.registries;
  const none = {
    maxConcurrent: undefined,
    requestsPerSecond: undefined,
    quotaReserve: undefined,
    quotaWaitSeconds: undefined,
    proxy: undefined,
  };
  assert.deepEqual(HOST_DEFAULTS, { insecure: false, tlsVerify: true, caFile: undefined, pipelining: true, ...none });
  assert.deepEqual(
    {
      insecure: registry?.insecure,
      tlsVerify: registry?.tlsVerify,
      caFile: registry?.caFile,
      pipelining: registry?.pipelining,
      ...none,
    },
    HOST_DEFAULTS,
  );
  assert.deepEqual(parsed.sources.get('quay.io'), { ...HOST_DEFAULTS, auth: undefined });
  assert.deepEqual(toEndpointOptions(HOST_DEFAULTS), {});
});

test('toEndpointOptions sets what differs from the defaults, and credentials when the caller chose them (even none)', () => {
  const credentials = new Credentials('u', 'p');
  const everything = toEndpointOptions({
    insecure: true,
    tlsVerify: false,
    caFile: '/ca.pem',
    pipelining: false,
    scheme: 'http',
    ca: 'PEM',
    credentials,
  });
  assert.deepEqual(Object.keys(everything).sort(), ['ca', 'caFile', 'credentials', 'insecure', 'pipelining', 'scheme', 'tlsVerify']);
  assert.equal(everything.credentials, credentials);
  assert.deepEqual(
    { ...everything, credentials: undefined },
    { insecure: true, tlsVerify: false, caFile: '/ca.pem', pipelining: false, scheme: 'http', ca: 'PEM', credentials: undefined },
  );
  assert.deepEqual(toEndpointOptions({ ...HOST_DEFAULTS, credentials: undefined }), { credentials: undefined }, 'looked for, none found');
  assert.deepEqual(toEndpointOptions({ ...HOST_DEFAULTS, caFile: '', ca: '' }), {}, 'empty paths and PEM are none');
});
