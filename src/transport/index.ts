export { AgentPool } from './agent-pool.js';
export { schemePlan, type EndpointOptions } from './endpoint.js';
export { ADDRESS_REFUSED, guardedConnector, guardedLookup, type AddressGuard } from './guarded-connect.js';
export { headerValue, toNetworkError, type RetryNotice, type RetryListener, type RequestBody } from './http-send.js';
export { readBodyLimited, discardBody } from './read-body.js';
export { redactUrl } from './redact-url.js';
export {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  isRetryableNetworkError,
  isRetryableStatus,
  isTransient,
  retryDelayMs,
  type RetryPolicy,
} from './retry-policy.js';
export { Transport, type TransportRequest, type TransportResponse, type TransportShared } from './transport.js';
export { PICTURE_BOOK_VERSION, USER_AGENT } from './user-agent.js';
export { DEFAULT_TIMEOUTS, resolveTimeouts, timeoutsFromSettings, type Timeouts, type TimeoutSettings } from './timeouts.js';
export { HostGates, statedLimits } from './host-gates.js';
export type { HostEvent, HostEventListener, HostLimits } from './host-events.js';
