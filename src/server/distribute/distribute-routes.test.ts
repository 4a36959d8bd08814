import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testApi, testConfig } from '../api-test-kit.js';

const valid = {
  source: { endpoint: 'http://127.0.0.1:5000/v2', image: 'library/app', ref: 'v1', auth: { basicauth: { user: 'u', password: 'p' } } },
  targets: [{ endpoint: 'https://mirror.example/v2', overwrite: 'true', verify_tls: 'false' }, { endpoint: 'mirror2.example:5000' }],
};

/** The status of a job no runner has started yet, as the transfer service shows it. */
const queuedStatus = { value: 'QUEUED', started_at: null, finished_endpoints: [], skipped_clusters: [], finished_at: null, errors: [] };

type Api = Awaited<ReturnType<typeof testApi>>;

/** POSTs a distribute job with the API's credentials. */
const postJob = (api: Api, payload: unknown) =>
  api.app.inject({ method: 'POST', url: '/api/distribute/image', headers: api.auth, payload: payload as object });

/** POSTs a body that must be refused: checks the 400, gives the problems its message names (one per `; `) and the raw body. */
async function refused(api: Api, payload: object): Promise<{ problems: string[]; body: string }> {
  const response = await postJob(api, payload);
  assert.equal(response.statusCode, 400);
  return { problems: response.json<{ error: { message: string } }>().error.message.split('; '), body: response.body };
}

test('POST /api/distribute/image answers 201 as the transfer service does, with the request normalised', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const created = await postJob(api, valid);
  assert.equal(created.statusCode, 201);
  assert.deepEqual(created.json(), { id: 'job-1', msg: 'Image sync started', status: 'success' });
  assert.deepEqual(api.submitted[0]?.targets, [
    { endpoint: 'https://mirror.example/v2', overwrite: true, verify_tls: false },
    { endpoint: 'mirror2.example:5000', overwrite: false },
  ]);
});

test('invalid bodies get a 400 naming each problem', async (t) => {
  const api = await testApi();
  const post = (payload: unknown) =>
    api.app.inject({
      method: 'POST',
      url: '/api/distribute/image',
      headers: { ...api.auth, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  const cases: Array<[unknown, RegExp]> = [
    [{}, /source: Required; targets: Required/],
    [{ ...valid, targets: [] }, /^targets: needs at least one target$/],
    [
      { ...valid, targets: [{ endpoint: 'http://user:pw@mirror.example/v2' }] },
      /^targets\[0\]\.endpoint: credentials do not belong in the endpoint URL/,
    ],
    [{ ...valid, targets: [{ endpoint: 'ftp://mirror.example' }] }, /targets\[0\]\.endpoint: scheme ftp: is not supported/],
    [{ ...valid, targets: [{ endpoint: 'https://mirror.example/v1/x' }] }, /path "\/v1\/x" is not a registry API root/],
    [{ ...valid, targets: [{ endpoint: 'a.example' }, { endpoint: 'a.example' }] }, /targets\[1\]\.endpoint: a\.example is listed twice/],
    [
      { ...valid, source: { ...valid.source, image: 'Upper/Case' } },
      /^source\.image: invalid reference "Upper\/Case": path component "Upper" must be lowercase$/,
    ],
    [
      { ...valid, source: { ...valid.source, ref: 'sha256:short' } },
      /^source\.ref: digest must look like sha256:<64 lowercase hex characters>$/,
    ],
    [{ ...valid, source: { ...valid.source, ref: 'v1!' } }, /^source\.ref: invalid reference "v1!": tag "v1!" may contain only/],
    [
      { ...valid, source: { ...valid.source, image: 'a'.repeat(250) } },
      /^source: image and ref: invalid reference .*: name is longer than 255 characters$/,
    ],
    [{ ...valid, source: { ...valid.source, auth: {} } }, /^source\.auth: needs basicauth \{user, password\} or a token url$/],
    [
      { ...valid, source: { ...valid.source, auth: { url: 'https://auth.example/token', json: '{not json' } } },
      /^source\.auth\.json: is not valid JSON$/,
    ],
    [
      { ...valid, targets: [{ endpoint: 'a.example', overwrite: 'maybe' }] },
      /^targets\[0\]\.overwrite: must be true or false \(a JSON boolean or the string "true" \/ "false"\)$/,
    ],
    [{ ...valid, source: { ...valid.source, verify_tls: null } }, /^source\.verify_tls: must be true or false/],
    // Names an object inherits are not booleans ("constructor" once passed as a truthy overwrite).
    [{ ...valid, targets: [{ endpoint: 'a.example', overwrite: 'constructor' }] }, /^targets\[0\]\.overwrite: must be true or false/],
    [{ ...valid, source: { ...valid.source, verify_tls: 'toString' } }, /^source\.verify_tls: must be true or false/],
    [{ ...valid, extra: 1 }, /Unrecognized key\(s\) in object: 'extra'/],
  ];
  t.after(() => api.close());
  for (const [payload, expected] of cases) {
    const response = await post(payload);
    assert.equal(response.statusCode, 400, JSON.stringify(payload));
    assert.equal(response.json().error.code, 'INVALID_BODY');
    assert.match(response.json().error.message, expected);
  }
  const notJson = await api.app.inject({
    method: 'POST',
    url: '/api/distribute/image',
    headers: { ...api.auth, 'content-type': 'application/json' },
    payload: '{"source":',
  });
  assert.equal(notJson.statusCode, 400);
  assert.equal(notJson.json().error.code, 'INVALID_BODY');
  const noBody = await api.app.inject({ method: 'POST', url: '/api/distribute/image', headers: api.auth });
  assert.equal(noBody.statusCode, 400);
  assert.match(noBody.json().error.message, /expected a JSON object body/);
  assert.equal(api.submitted.length, 0);
});

test('every problem of a body is named at once: a bad image next to other bad fields, no auth value quoted', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const payload = {
    source: { endpoint: '', image: 'A', ref: 'v1', auth: { url: 'https://auth.example/token', token_type: 'Tok-Secret-41' } },
    targets: [
      {
        endpoint: 'a.example',
        overwrite: 'maybe',
        auth: { basicauth: { user: 'u', password: 'Pw-Secret-42' }, token_type: 'Pw-Secret-43' },
      },
    ],
  };
  const response = await refused(api, payload);
  assert.deepEqual(response.problems, [
    'source.endpoint: is empty',
    'source.image: invalid reference "A": path component "A" must be lowercase',
    'source.auth.token_type: must be "Bearer" or "JWT"',
    'targets[0].overwrite: must be true or false (a JSON boolean or the string "true" / "false")',
    'targets[0].auth.token_type: must be "Bearer" or "JWT"',
  ]);
  for (const secret of ['Tok-Secret-41', 'Pw-Secret-42', 'Pw-Secret-43'])
    assert.equal(response.body.includes(secret), false, `${secret} is quoted`);
  assert.equal(api.submitted.length, 0);
});

test('GET /api/distribute/image/:id shows the job in the transfer-service shape', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  await api.store.createJob('abc', {}, Date.UTC(2026, 0, 2, 3, 4, 5));
  const queued = await api.app.inject({ url: '/api/distribute/image/abc', headers: api.auth });
  assert.deepEqual(queued.json(), queuedStatus);
  await api.store.startJob('abc', Date.UTC(2026, 0, 2, 3, 4, 6));
  await api.store.recordJobTarget('abc', { endpoint: 'http://a/v2', outcome: 'finished' });
  await api.store.recordJobTarget('abc', { endpoint: 'http://b/v2', outcome: 'skipped' });
  await api.store.recordJobTarget('abc', { endpoint: 'http://c/v2', outcome: 'failed', error: { code: 'NETWORK', message: 'refused' } });
  await api.store.finishJob('abc', 'FAILED', Date.UTC(2026, 0, 2, 3, 4, 7, 500), '***');
  const done = await api.app.inject({ url: '/api/distribute/image/abc', headers: api.auth });
  assert.deepEqual(done.json(), {
    value: 'FAILED',
    started_at: '2026-01-02T03:04:06.000+00:00',
    finished_endpoints: ['http://a/v2'],
    skipped_clusters: ['http://b/v2'],
    finished_at: '2026-01-02T03:04:07.500+00:00',
    errors: [{ endpoint: 'http://c/v2', code: 'NETWORK', message: 'refused' }],
  });
  const missing = await api.app.inject({ url: '/api/distribute/image/nope', headers: api.auth });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'JOB_NOT_FOUND');
});

test('request forgery: token URLs only http(s), no metadata, odd, unspecified, link-local or private hosts, no steering headers', async (t) => {
  const api = await testApi();
  const post = (payload: unknown) => postJob(api, payload);
  const withTokenUrl = (auth: object) => ({ ...valid, source: { ...valid.source, auth } });
  const cases: Array<[unknown, string, RegExp]> = [
    [
      withTokenUrl({ url: 'file:///etc/passwd' }),
      'INVALID_BODY',
      /^source\.auth\.url: must be an http:\/\/ or https:\/\/ URL \(scheme file: is refused\)$/,
    ],
    [withTokenUrl({ url: 'gopher://127.0.0.1:6379/_x' }), 'INVALID_BODY', /scheme gopher: is refused/],
    [withTokenUrl({ url: 'javascript:alert(1)' }), 'INVALID_BODY', /scheme javascript: is refused/],
    [withTokenUrl({ url: 'http://user:pw@127.0.0.1/t' }), 'INVALID_BODY', /source\.auth\.url: must not contain credentials/],
    [withTokenUrl({ url: 'http://0x7f000001/t' }), 'INVALID_BODY', /source\.auth\.url: "0x7f000001" is an IP address in an unusual form/],
    [
      withTokenUrl({ url: 'http://127.0.0.1/t', header: 'Metadata-Flavor: Google' }),
      'INVALID_BODY',
      /source\.auth\.header: header "Metadata-Flavor" may not be set \(allowed: Authorization, /,
    ],
    [
      withTokenUrl({ url: 'http://127.0.0.1/t', header: { Host: 'metadata.google.internal' } }),
      'INVALID_BODY',
      /header "Host" may not be set/,
    ],
    [
      withTokenUrl({ url: 'http://127.0.0.1/t', header: { 'X-Forwarded-For': '1.2.3.4' } }),
      'INVALID_BODY',
      /header "X-Forwarded-For" may not be set/,
    ],
    [withTokenUrl({ url: 'http://127.0.0.1/t', header: { 'X-Api-Key': 'a\r\nHost: x' } }), 'INVALID_BODY', /must not contain line breaks/],
    [
      withTokenUrl({ url: 'http://metadata.google.internal/computeMetadata/v1/token' }),
      'ADDRESS_REFUSED',
      /^source\.auth\.url: metadata\.google\.internal is a cloud metadata service$/,
    ],
    [
      withTokenUrl({ url: 'http://169.254.169.254/latest/meta-data' }),
      'ADDRESS_REFUSED',
      /source\.auth\.url: 169\.254\.169\.254 is a cloud metadata service address/,
    ],
    [
      { ...valid, targets: [{ endpoint: 'http://169.254.169.254/v2' }] },
      'ADDRESS_REFUSED',
      /^targets\[0\]\.endpoint: 169\.254\.169\.254 is a cloud metadata service address$/,
    ],
    [
      { ...valid, targets: [{ endpoint: '[fd00:ec2::254]:80' }] },
      'ADDRESS_REFUSED',
      /targets\[0\]\.endpoint: fd00:ec2::254 is a cloud metadata/,
    ],
    [
      { ...valid, targets: [{ endpoint: 'metadata.google.internal' }] },
      'ADDRESS_REFUSED',
      /metadata\.google\.internal is a cloud metadata service/,
    ],
    [
      { ...valid, targets: [{ endpoint: 'http://0x7f000001:5000/v2' }] },
      'INVALID_BODY',
      /targets\[0\]\.endpoint: "0x7f000001" is an IP address in an unusual form/,
    ],
    [{ ...valid, targets: [{ endpoint: 'http://2130706433:5000' }] }, 'INVALID_BODY', /unusual form/],
    [{ ...valid, targets: [{ endpoint: 'http://0.0.0.0:5000' }] }, 'ADDRESS_REFUSED', /0\.0\.0\.0 is an unspecified address/],
    [{ ...valid, targets: [{ endpoint: 'http://[::]:5000' }] }, 'ADDRESS_REFUSED', /:: is an unspecified address/],
    [
      { ...valid, targets: [{ endpoint: 'http://169.254.1.1:5000' }] },
      'ADDRESS_REFUSED',
      /169\.254\.1\.1 is a link-local address, not in api\.distributeAllowedNetworks \(loopback\)/,
    ],
    [{ ...valid, targets: [{ endpoint: '10.0.0.8:5000' }] }, 'ADDRESS_REFUSED', /10\.0\.0\.8 is a private address/],
  ];
  t.after(() => api.close());
  for (const [payload, code, message] of cases) {
    const response = await post(payload);
    assert.equal(response.statusCode, 400, JSON.stringify(payload));
    assert.equal(response.json().error.code, code, JSON.stringify(payload));
    assert.match(response.json().error.message, message);
  }
  assert.equal(api.submitted.length, 0);
  // Loopback (the default allow-list) and allowed headers pass.
  const ok = await post(withTokenUrl({ url: 'http://127.0.0.1:9/token', header: 'X-Api-Key: k\nAccept: application/json' }));
  assert.equal(ok.statusCode, 201, ok.body);
  // An operator allows a private range; the reload applies at once.
  const config = testConfig();
  api.setConfig({ ...config, api: { ...config.api, distributeAllowedNetworks: ['loopback', '10.0.0.0/8'] } });
  assert.equal((await post({ ...valid, targets: [{ endpoint: '10.0.0.8:5000' }] })).statusCode, 201);
  api.setConfig({ ...config, api: { ...config.api, distributeAllowedNetworks: ['10.0.0.0/8'] } });
  assert.equal((await post(valid)).json().error.code, 'ADDRESS_REFUSED', 'loopback is no longer in the list');
});

test('one target registry spelled two ways is refused, naming both entries', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const payload = {
    ...valid,
    targets: [
      { endpoint: 'http://127.0.0.1:5000/v2' },
      { endpoint: 'mirror.example' },
      { endpoint: '127.0.0.1:5000' },
      { endpoint: 'https://Mirror.Example/v2/' },
    ],
  };
  assert.deepEqual((await refused(api, payload)).problems, [
    'targets[2].endpoint: 127.0.0.1:5000 is the registry of targets[0] (http://127.0.0.1:5000/v2)',
    'list each registry once',
    'targets[3].endpoint: https://Mirror.Example/v2/ is the registry of targets[1] (mirror.example)',
    'list each registry once',
  ]);
  assert.equal(api.submitted.length, 0);
});

test('GET /api/distribute/image lists jobs newest first, a page at a time, optionally by state, never their auth', async (t) => {
  const api = await testApi();
  const list = (query = '') => api.app.inject({ url: `/api/distribute/image${query}`, headers: api.auth });
  t.after(() => api.close());
  const request = {
    source: {
      endpoint: 'http://127.0.0.1:5000/v2',
      image: 'team/app',
      ref: 'v1',
      auth: { basicauth: { user: 'u', password: 'List-Secret-9' } },
    },
    targets: [{ endpoint: 'a.example' }, { endpoint: 'b.example' }],
  };
  for (let i = 1; i <= 5; i++) await api.store.createJob(`job-${i}`, request, Date.UTC(2026, 0, 1, 0, 0, i));
  await api.store.createJob('job-6', request, Date.UTC(2026, 0, 1, 0, 0, 5)); // same time as job-5: posted after it
  await api.store.startJob('job-2', Date.UTC(2026, 0, 1, 0, 1));
  await api.store.recordJobTarget('job-2', { endpoint: 'a.example', outcome: 'failed', error: { code: 'NETWORK', message: 'refused' } });
  await api.store.finishJob('job-2', 'FAILED', Date.UTC(2026, 0, 1, 0, 2), {
    source: { ...request.source, auth: '***' },
    targets: request.targets,
  });

  const first = await list('?limit=4');
  assert.equal(first.statusCode, 200);
  assert.equal(first.body.includes('List-Secret-9'), false, "a queued job's auth is not listed");
  const page = first.json();
  assert.deepEqual(
    page.jobs.map((j: { id: string }) => j.id),
    ['job-6', 'job-5', 'job-4', 'job-3'],
  );
  assert.equal(page.next, 'job-3');
  assert.deepEqual(page.jobs[0], {
    id: 'job-6',
    created_at: '2026-01-01T00:00:05.000+00:00',
    source: { endpoint: 'http://127.0.0.1:5000/v2', image: 'team/app', ref: 'v1' },
    targets: ['a.example', 'b.example'],
    ...queuedStatus,
  });
  const second = (await list(`?limit=4&before=${page.next}`)).json();
  assert.deepEqual([second.jobs.map((j: { id: string }) => j.id), second.next], [['job-2', 'job-1'], null]);
  assert.deepEqual(second.jobs[0].errors, [{ endpoint: 'a.example', code: 'NETWORK', message: 'refused' }]);
  const failed = (await list('?state=FAILED')).json();
  assert.deepEqual([failed.jobs.map((j: { id: string }) => j.id), failed.next], [['job-2'], null]);
  assert.equal((await list()).json().jobs.length, 6, 'default page: 20');

  const bad: Array<[string, RegExp]> = [
    ['?limit=0', /^limit: must be 1 or more$/],
    ['?limit=101', /^limit: must be at most 100$/],
    ['?limit=x', /^limit: must be a number$/],
    ['?state=DONE', /^state: must be one of: QUEUED, RUNNING, FINISHED, FAILED$/],
    ['?before=nope', /^before: no distribute job nope to page from$/],
    ['?page=2', /Unrecognized key\(s\) in object: 'page'/],
  ];
  for (const [query, message] of bad) {
    const answer = await list(query);
    assert.equal(answer.statusCode, 400, query);
    assert.equal(answer.json().error.code, 'INVALID_QUERY');
    assert.match(answer.json().error.message, message, query);
  }
});

test('ca: PEM certificates only, a private key is named as such', async (t) => {
  const api = await testApi();
  const post = (ca: string) => postJob(api, { ...valid, targets: [{ endpoint: 'https://127.0.0.1:5443', ca }] });
  t.after(() => api.close());
  assert.match(
    (await post('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n')).json().error.message,
    /^targets\[0\]\.ca: is a private key, not a CA certificate/,
  );
  assert.match(
    (await post('hello')).json().error.message,
    /^targets\[0\]\.ca: must be PEM text with at least one "-----BEGIN CERTIFICATE-----" block$/,
  );
  assert.match(
    (await post('-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n')).json().error.message,
    /^targets\[0\]\.ca: certificate 1 of the PEM text cannot be read$/,
  );
  assert.equal(api.submitted.length, 0);
});
