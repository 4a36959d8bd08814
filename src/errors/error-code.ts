/**
 * Every code a PictureBookError carries, one line each on what it means. Codes are stable: the CLI's
 * exit status, the run history, the API's error bodies and users' scripts branch on them. A new
 * code is added here first; the compiler refuses one that is not.
 */
export type ErrorCode =
  // Reaching the registry (NetworkError and its subclasses).
  /** The registry or token service could not be reached, or the connection broke (DNS, refused, reset). */
  | 'NETWORK'
  /** A registry or token service was slower than a configured timeout (TimeoutError names the setting). */
  | 'TIMEOUT'
  /** A TLS handshake or certificate check failed (TlsError says what and what to do). */
  | 'TLS'
  /** A distribute job may not reach this address (private networks, metadata services). */
  | 'ADDRESS_REFUSED'

  // The registry's answers.
  /** The registry answered with a status the operation does not handle (HttpError). */
  | 'HTTP'
  /** The registry answered 429 Too Many Requests, and the retries were spent. */
  | 'TOO_MANY_REQUESTS'
  /** The registry's pull quota stayed at its reserve (`quotaReserve`) longer than a GET may wait (`quotaWaitSeconds`). */
  | 'QUOTA_EXHAUSTED'
  /** An answer that does not follow the distribution API (an upload without Location, a page that is not JSON). */
  | 'PROTOCOL'
  /** A small answer (JSON page, token reply, error body) was over its size limit. */
  | 'RESPONSE_TOO_LARGE'
  /** The target registry serves reads only (405 on a push). */
  | 'READ_ONLY'
  /** The target registry refuses deletes (405 UNSUPPORTED: distribution without `storage.delete.enabled`). */
  | 'DELETE_DISABLED'
  /** A listing's `Link` pages lead back to a page already read. */
  | 'PAGINATION_LOOP'
  /** A listing went on past the most pages read. */
  | 'PAGINATION_LIMIT'
  /** The registry does not let us list its repositories (`_catalog` refused or not offered). */
  | 'CATALOG_UNAVAILABLE'
  /** `tags/list` says the repository does not exist. */
  | 'REPOSITORY_NOT_FOUND'
  /** The source has no manifest for the reference (unknown repository, tag or digest). */
  | 'IMAGE_NOT_FOUND'

  // Authentication (AuthError, CredentialsError).
  /** Credentials missing or refused, or no token could be obtained (401). */
  | 'UNAUTHORIZED'
  /** The credentials are valid but lack the right asked for (403). */
  | 'DENIED'
  /** Credentials given in a form we cannot use (a bad auth file, `user:password` without the colon). */
  | 'CREDENTIALS_INVALID'
  /** A Docker credential helper (`docker-credential-NAME get`) failed, or is not on PATH. */
  | 'CREDENTIAL_HELPER_FAILED'

  // Content (ContentError): bytes and manifests, listed below.
  | ContentErrorCode

  // OCI image layouts and archives on disk (LayoutError).
  /** A directory or tar that is not a usable OCI layout (no index.json, one that is not JSON, a tar that cannot be read). */
  | 'LAYOUT_INVALID'
  /** A file of a layout could not be read or written (no space left, permission denied, ...). */
  | 'LAYOUT_IO'
  /** A blob a manifest names is not in the layout (in a delta bundle: it came in an earlier bundle). */
  | 'BLOB_MISSING'

  // What the user wrote.
  /** An image reference that does not follow the distribution grammar. */
  | 'INVALID_REFERENCE'
  /** The command line is wrong (a flag's value, a registry not in the config). */
  | 'USAGE'
  /** The configuration file cannot be used (ConfigError lists every problem). */
  | 'CONFIG_INVALID'
  /** A selection rule that cannot be used (RuleError says where in the rule). */
  | 'RULE_INVALID'
  /** A registry's `syncPeriod` cannot be scheduled. */
  | 'SCHEDULE_INVALID'
  /** `syncerScriptArgs` holds something only a shell could run (a pipe, a redirection, an open quote). */
  | 'SCRIPT_ARGS_INVALID'
  /** A distribute job's registry endpoint that is not a registry URL. */
  | 'ENDPOINT_INVALID'

  // The run history database (StoreError).
  /** The history database cannot be opened. */
  | 'STORE_OPEN_FAILED'
  /** `state.path` names a file that is not a picture-book database, or cannot hold one. */
  | 'STORE_PATH_INVALID'
  /** The history database was written by a newer picture-book. */
  | 'STORE_SCHEMA_TOO_NEW'
  /** No such distribute job in the history. */
  | 'STORE_NOT_FOUND'

  // The sync server and its API (ApiError: the code of an `{error: {code, message}}` answer).
  /** The API cannot listen on its address (in use, not permitted). */
  | 'API_LISTEN_FAILED'
  /** A request body that is not what the route takes. */
  | 'INVALID_BODY'
  /** A query string that is not what the route takes. */
  | 'INVALID_QUERY'
  /** A browser page of another origin asked for something that changes state. */
  | 'CROSS_ORIGIN'
  /** No distribute job with this id. */
  | 'JOB_NOT_FOUND'
  /** No run with this id in the history (never, or pruned). */
  | 'RUN_NOT_FOUND'
  /** No configured registry with this hostname. */
  | 'UNKNOWN_REGISTRY'
  /** The route exists but not for this method. */
  | 'METHOD_NOT_ALLOWED'
  /** The action does not fit the synchronizer's state (a run already going, paused, stopping). */
  | 'CONFLICT'

  // Scale-out (`queue:`).
  /** The shared job queue (Redis) refused or lost a copy job, or a worker could not run it (its config lacks the registry). */
  | 'QUEUE'
  /** A distribute request with credentials while copies go through the queue and no queue key seals them: refused, never queued in clear. */
  | 'QUEUE_KEY_MISSING'

  // Neither failure nor bug.
  /** The work was stopped on purpose (a signal, a pause, a stop's grace period ran out). */
  | 'CANCELLED'
  /** Not a failure we foresaw: a bug, or a broken installation. What anything but a PictureBookError reports. */
  | 'INTERNAL';

/** The codes of a ContentError: bytes and manifests. */
export type ContentErrorCode =
  /** Bytes whose digest is not the one asked for. */
  | 'DIGEST_MISMATCH'
  /** A blob or manifest whose size is not its descriptor's. */
  | 'SIZE_MISMATCH'
  /** A manifest we cannot read (not JSON, missing fields, too large). */
  | 'MANIFEST_INVALID'
  /** A manifest media type we do not copy. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** The image has no manifest for the platform asked for. */
  | 'PLATFORM_NOT_FOUND'
  /** A platform that does not read as `os/arch[/variant]`. */
  | 'PLATFORM_INVALID'
  /** A digest read from a manifest, header or body does not follow the digest grammar. */
  | 'DIGEST_INVALID'
  /** A well-formed digest whose algorithm we cannot verify (only sha256 and sha512 are). */
  | 'DIGEST_UNSUPPORTED'
  /** The target was named by a digest the source does not have (`copy SRC DST@sha256:X`). */
  | 'TARGET_DIGEST_MISMATCH';
