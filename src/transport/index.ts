export { AgentPool } from './agent-pool.js';
export { schemePlan, type EndpointOptions } from './endpoint.js';
export { ADDRESS_REFUSED, guardedConnector, guardedLookup, type AddressGuard } from './guarded-connect.js';
export { toNetworkError, type RetryNotice, type RequestBody } from './http-send.js';
export { readBodyLimited, discardBody } from './read-body.js';
export { redactUrl } from './redact-url.js';
export { DEFAULT_RETRY_POLICY, parseRetryAfter, isRetryableStatus, type RetryPolicy } from './retry-policy.js';
export { Transport, headerValue, type TransportRequest, type TransportResponse, type TransportShared } from './transport.js';
export { PICTURE_BOOK_VERSION, USER_AGENT } from './user-agent.js';
