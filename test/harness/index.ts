/** The end-to-end test harness: real registries, a token issuer, image fixtures, skopeo and faults. */
export { startRegistry, TOKEN_ISSUER, TOKEN_SERVICE, type RegistryAuth, type RegistryOptions, type TestRegistry } from './registry.js';
export { startTokenIssuer, TokenIssuer, type TokenIssuerOptions, type TokenRequestRecord } from './token-issuer.js';
export type { AccessEntry } from './jwt.js';
export {
  buildImage,
  pushImage,
  type BuiltImage,
  type PushTarget,
  type ImageSpec,
  type IndexSpec,
  type LayerSpec,
  type Platform,
} from './images.js';
export { pushRecords, serialisedPush, type PushRecord } from './push-lock.js';
export { FIXTURE_ROOT } from './fixture-cache.js';
export { skopeo, skopeoCopyToLayout, skopeoInspectRaw, skopeoListTags } from './skopeo.js';
export { startFaultProxy, type FaultAction, type FaultProxy, type FaultRule, type RecordedRequest } from './fault-proxy.js';
export type { GroupTracker } from './group-tracker.js';
export { startPlainHttpFront, type PlainHttpFront } from './plain-http-front.js';
export { sendSpaces, startHostileRegistry, sha256, type HostileRegistry, type FakeAnswer, type FakeHandler } from './hostile-registry.js';
export { pushRawBlob, pushRawImage, pushRawManifest, type RawImage } from './raw-push.js';
export { startSessionKeepingRegistry, type SessionKeepingRegistry } from './session-keeping-registry.js';
export { startForwardProxy, type ForwardProxy, type ProxiedRequest } from './forward-proxy.js';
export { startReferrersFront, type ReferrerDescriptor, type ReferrersFront } from './referrers-front.js';
export { pushArtifact, pushCosignTag, pushReferrersTag, subjectOf, type PushedArtifact, type Subject } from './referrer-fixtures.js';
export { startedSoFar } from './started-so-far.js';
export { startRedis, type TestRedis } from './redis-server.js';
