/** The OpenAPI 3.1 description of every endpoint, served at `/openapi.json`. */
const error = { $ref: '#/components/schemas/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema: object = { type: 'object' }) => ({ description, ...json(schema) });
const failures = {
  '400': answer('Invalid query or body (ADDRESS_REFUSED: an endpoint or token URL outside api.distributeAllowedNetworks)', error),
  '401': answer('Missing or wrong bearer token (when auth is enabled)', error),
};
const opsParameters = [
  { name: 'sync', in: 'query', required: true, description: 'Hostname of a configured registry', schema: { type: 'string' } },
  { name: 'action', in: 'query', required: true, schema: { type: 'string', enum: ['details', 'pause', 'resume', 'run'] } },
];
const crossOrigin = { '403': answer('CROSS_ORIGIN: a change requested from another origin or site (Origin, Sec-Fetch-Site)', error) };
const opsResponses = {
  '200': answer('details: configuration (redacted), state and recent runs; pause: state; resume: state and nextRun'),
  '202': answer('run: a run was started'),
  ...failures,
  ...crossOrigin,
  '404': answer('Unknown registry', error),
  '405': answer('pause/resume/run by HEAD, or by GET with auth off (Allow names the methods)', error),
  '409': answer('run: a run is already going, or the synchronizer is paused', error),
};
const auth = {
  type: 'object',
  description: 'Basic auth wins over the token setup.',
  properties: {
    url: { type: 'string', description: 'Token endpoint (http or https); GET, or POST when json is given' },
    token_type: { type: 'string', enum: ['JWT', 'Bearer'] },
    header: { description: '"Name: value" lines, or an object. Allowed: Authorization, Accept, Accept-Language, Content-Type, User-Agent, Cookie, X-* (not X-Forwarded-*, X-Real-IP, X-Original-*, X-Rewrite-*, X-HTTP-Method*, X-Host, metadata headers)', oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }] },
    json: { description: 'JSON body for the token request', oneOf: [{ type: 'string' }, { type: 'object' }] },
    basicauth: { type: 'object', required: ['user', 'password'], properties: { user: { type: 'string' }, password: { type: 'string' } } },
  },
};
const ca = { type: 'string', description: 'PEM CA certificate(s) trusted for this endpoint (and its token URL) only' };
const booleanish = { oneOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }] };

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'picture-book sync server', version: '0.1.0', description: 'Continuous registry synchronization and image distribute jobs.' },
  security: [{ bearer: [] }],
  paths: {
    '/healthz': { get: { summary: 'Liveness (never needs auth)', security: [], responses: { '200': answer('Alive', { type: 'object', properties: { status: { const: 'ok' } } }) } } },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'Text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': failures['401'] } } },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': answer('OpenAPI 3.1'), '401': failures['401'] } } },
    '/list': {
      get: {
        summary: 'Configured registries (secrets redacted) or active synchronizers',
        parameters: [{ name: 'type', in: 'query', required: true, schema: { type: 'string', enum: ['configured', 'active'] } }],
        responses: {
          '200': answer('configured: {file, registries}; active: {synchronizers: [{hostname, state, schedule, timezone, nextRun, runs, skippedTicks, lastRun}]}'),
          ...failures,
        },
      },
    },
    '/ops': {
      get: { summary: 'Details of one synchronizer; pause, resume or run only with auth on (else use POST)', parameters: opsParameters, responses: opsResponses },
      post: { summary: 'Pause, resume or run one synchronizer (or its details)', parameters: opsParameters, responses: opsResponses },
    },
    '/api/distribute/image': {
      get: {
        summary: 'Distribute jobs, newest first, a page at a time',
        parameters: [
          { name: 'limit', in: 'query', required: false, description: 'Jobs per page', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'before', in: 'query', required: false, description: 'Cursor: the `next` of the previous page (jobs created before this job id)', schema: { type: 'string' } },
          { name: 'state', in: 'query', required: false, description: 'Only jobs in this state', schema: { type: 'string', enum: ['QUEUED', 'RUNNING', 'FINISHED', 'FAILED'] } },
        ],
        responses: {
          '200': answer('A page of jobs', {
            type: 'object',
            required: ['jobs', 'next'],
            properties: {
              jobs: { type: 'array', items: { $ref: '#/components/schemas/JobListItem' } },
              next: { type: ['string', 'null'], description: 'Pass as `before` for the next page; null on the last page' },
            },
          }),
          ...failures,
        },
      },
      post: {
        summary: 'Start a job copying one image to several registries',
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/DistributeRequest' }) },
        responses: {
          '201': answer('Job queued', { type: 'object', properties: { id: { type: 'string' }, msg: { const: 'Image sync started' }, status: { const: 'success' } } }),
          ...failures,
          ...crossOrigin,
        },
      },
    },
    '/api/distribute/image/{id}': {
      get: {
        summary: 'State of a distribute job',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': answer('The job', { $ref: '#/components/schemas/Job' }), '401': failures['401'], '404': answer('Unknown job', error) },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'api.authToken, when api.enableAuth is true' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      },
      DistributeRequest: {
        type: 'object',
        required: ['source', 'targets'],
        properties: {
          source: {
            type: 'object',
            required: ['endpoint', 'image', 'ref'],
            properties: { endpoint: { type: 'string', examples: ['http://127.0.0.1:5000/v2'] }, image: { type: 'string' }, ref: { type: 'string', description: 'Tag or digest' }, verify_tls: booleanish, ca, auth },
          },
          targets: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['endpoint'],
              properties: { endpoint: { type: 'string' }, overwrite: { ...booleanish, default: false }, verify_tls: { ...booleanish, description: 'Verify TLS certificates (default true)' }, ca, auth },
            },
          },
        },
      },
      JobListItem: {
        description: 'A job as listed: its id, when it was posted, what it copies (never its auth), and its state as in Job',
        allOf: [
          {
            type: 'object',
            properties: {
              id: { type: 'string' },
              created_at: { type: 'string', format: 'date-time' },
              source: { type: ['object', 'null'], properties: { endpoint: { type: 'string' }, image: { type: 'string' }, ref: { type: 'string' } } },
              targets: { type: 'array', items: { type: 'string' }, description: 'Target endpoints' },
            },
          },
          { $ref: '#/components/schemas/Job' },
        ],
      },
      Job: {
        type: 'object',
        properties: {
          value: { type: 'string', enum: ['QUEUED', 'RUNNING', 'FINISHED', 'FAILED'] },
          started_at: { type: ['string', 'null'], format: 'date-time' },
          finished_endpoints: { type: 'array', items: { type: 'string' } },
          skipped_clusters: { type: 'array', items: { type: 'string' }, description: 'Targets that already had the image' },
          finished_at: { type: ['string', 'null'], format: 'date-time' },
          errors: { type: 'array', items: { type: 'object', properties: { endpoint: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  },
} as const;
