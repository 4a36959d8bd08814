import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { PICTURE_BOOK_VERSION } from '../../transport/user-agent.js';
import { historyRunSchema, liveRunSchema } from '../dashboard/dashboard-schemas.js';
import { authSchema, distributeRequestSchema } from '../distribute/request-schema.js';
import { notificationSchema } from '../notifications/notification.js';
import { apiErrorSchema } from '../routes/api-responses.js';
import { jobListItemSchema, jobSchema } from '../routes/distribute-schemas.js';
import { runSchema, synchronizerSchema } from '../routes/sync-schemas.js';
import { componentRefs, zodSchemaTransform } from './swagger-transforms.js';

/** Shapes named in the document (each copy in the paths becomes a `$ref`). */
const COMPONENTS = {
  Error: apiErrorSchema,
  DistributeRequest: distributeRequestSchema,
  DistributeAuth: authSchema,
  Job: jobSchema,
  JobListItem: jobListItemSchema,
  Synchronizer: synchronizerSchema,
  Run: runSchema,
  HistoryRun: historyRunSchema,
  LiveRun: liveRunSchema,
  Notification: notificationSchema,
};

/** What `sync` POSTs to each webhook of `notifications.webhooks` (README "Notifications"). */
const WEBHOOKS = {
  notification: {
    post: {
      summary: 'A notification, POSTed by the server to each configured webhook',
      description: [
        'Headers: `X-Picture-Book-Event` (the event), `X-Picture-Book-Delivery` (the id, the same in every attempt),',
        "`X-Picture-Book-Signature-256: sha256=HEX` (HMAC-SHA256 of the body with the webhook's `secret`, when it has one).",
        'Any 2xx answer is a delivery; a network error, timeout, 408, 429 or 5xx is tried again (`retries`), any other answer is not.',
      ].join(' '),
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Notification' } } } },
      responses: { '2XX': { description: 'Received' } },
      security: [],
    },
  },
};

/**
 * Describes the API as OpenAPI 3.1 from the routes' own schemas (`app.swagger()`, served at
 * /openapi.json). Registered before the routes: it learns them as they are added.
 */
export function registerApiDocument(app: FastifyInstance): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'picture-book sync server',
        version: PICTURE_BOOK_VERSION,
        description: 'Continuous registry synchronization and image distribute jobs.',
      },
      security: [{ bearer: [] }, { token: [] }],
      webhooks: WEBHOOKS,
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'api.authToken as `Authorization: Bearer <token>`, when api.enableAuth is on',
          },
          token: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: 'api.authToken as the bare header value, `Authorization: <token>`',
          },
        },
      },
    },
    // OpenAPI 3.1 schemas are JSON Schema: `const` stays `const`.
    convertConstToEnum: false,
    transform: zodSchemaTransform,
    transformObject: componentRefs(COMPONENTS),
  });
}
