import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { PICTURE_BOOK_VERSION } from '../../transport/user-agent.js';
import { historyRunSchema, liveRunSchema } from '../dashboard/dashboard-schemas.js';
import { authSchema, distributeRequestSchema } from '../distribute/request-schema.js';
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
