/** What a fault proxy records, the faults it injects, and its interface (see fault-proxy.ts). */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { GroupTracker } from './group-tracker.js';

export interface RecordedRequest {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  /** The status the client got; 0 when the connection was reset without an answer. */
  status: number;
  /** The request's headers as the client sent them. */
  headers: IncomingHttpHeaders;
  /** Request body bytes passed on to the registry. */
  bytesIn: number;
  /** Response body bytes passed on to the client. */
  bytesOut: number;
  /** When the request arrived (ms since the epoch). */
  at: number;
}

/** The record of a request just arrived: nothing answered or passed on yet. */
export function arrivedRequest(req: IncomingMessage): RecordedRequest {
  return { method: req.method ?? 'GET', path: req.url ?? '/', status: 0, headers: req.headers, bytesIn: 0, bytesOut: 0, at: Date.now() };
}

export type FaultAction =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Destroy the client socket without answering. */
  | { kind: 'reset' }
  /** Forward the status, headers and the first N body bytes, then destroy the socket. */
  | { kind: 'truncate'; afterBytes: number }
  /** Forward the status, headers and the first N body bytes, then hold the rest until `release()`. */
  | { kind: 'stall'; afterBytes: number }
  /** Forward, but answer with `Link: link(requestPath)` (none when it gives undefined): a chain or a loop of pages. */
  | { kind: 'link'; link: (path: string) => string | undefined }
  /**
   * Forward (asking the registry for the whole list after `last`), then serve the JSON list `field`
   * in pages of `size`, as a registry that honours `n` and `last` on it would (distribution 2.8
   * ignores them on tags): names in order, those after `last`, a relative `Link` to the next page
   * while more remain.
   */
  | { kind: 'paginate'; field: 'tags' | 'repositories'; size: number }
  /** Forward the status, headers and the first N body bytes, then `bytes` bytes every `everyMs`. */
  | { kind: 'trickle'; afterBytes: number; bytes: number; everyMs: number }
  /** Pass the first N bytes of the request body on, then stop reading it until `release()`. */
  | { kind: 'stallUpload'; afterBytes: number }
  /** Pass the first N bytes of the request body on, then break both connections (an upload cut mid-body). */
  | { kind: 'cut-request'; afterBytes: number }
  /**
   * Forward the answer without the named headers, as some registries and CDNs send it: without
   * `content-length` the body goes chunked; without `docker-content-digest` the client must hash.
   */
  | { kind: 'drop-headers'; names: readonly string[] }
  /**
   * Forward the answer with these headers added (or replaced), as a registry that reports its quota
   * does: `{'ratelimit-remaining': '8;w=21600'}`.
   */
  | { kind: 'add-headers'; headers: Readonly<Record<string, string>> };

export type RewriteAction = Extract<FaultAction, { kind: 'link' | 'paginate' }>;

export interface FaultRule {
  method?: string;
  pathPattern?: RegExp;
  /** How many matching requests this rule hits before it is used up. */
  times: number;
  action: FaultAction;
}

export interface FaultProxy {
  readonly host: string;
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** TCP connections clients opened to the proxy since it started or `clearRequests()`. */
  readonly connections: number;
  /** Most requests one client connection had waiting for their answers at once (over 1: pipelined). */
  readonly maxPipelined: number;
  /** Requests whose answer was not yet sent whole, now; and the most at once since start or `clearRequests()`. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Requests whose answer a `stall` fault holds right now (the client has not gone away). */
  readonly stalled: readonly RecordedRequest[];
  /**
   * From now on, the most distinct groups (`groupOf(path)`) with a request in flight at once, among
   * the requests whose `METHOD path` matches `pattern` (e.g. how many images' blob GETs overlap).
   */
  trackGroups(pattern: RegExp, groupOf: (path: string) => string): GroupTracker;
  addFault(rule: FaultRule): void;
  /**
   * Lets every held answer go on, and every answer a stall already picked but has not reached its
   * N bytes yet (the registry is still answering): those are not held at all. Stall rules stay:
   * clear them first so new requests pass too.
   */
  release(): void;
  clearFaults(): void;
  clearRequests(): void;
  count(method: string, pathPattern?: RegExp): number;
  close(): Promise<void>;
}
