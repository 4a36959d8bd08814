import type { Dispatcher } from 'undici';
import type { EndpointOptions } from './endpoint.js';
import type { HostGate } from './host-gate.js';
import type { HostGates } from './host-gates.js';
import { headerValue } from './http-send.js';
import type { RetryPolicy } from './retry-policy.js';

/** A quota probe asks for what a manifest request asks for (any manifest: the answer's headers are what counts). */
export const PROBE_ACCEPT = {
  accept: [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
  ].join(', '),
};

/** A manifest request to send again (a HEAD, which Docker Hub does not count) to read the quota. */
export interface QuotaProbe {
  url: URL;
  scopes: readonly string[];
}

/**
 * One transport's side of its host's gate (the host's limits, shared by the whole process): the
 * gate each request of the registry's own origin passes, and the manifest answer to HEAD again
 * while manifest GETs wait for the quota. Without HostGates (a transport built alone) it does nothing.
 */
export class TransportGate {
  readonly #registry: string;
  readonly #gate: HostGate | undefined;
  readonly #sendProbe: (probe: QuotaProbe) => Promise<void>;
  #probe: QuotaProbe | undefined;

  /** `sendProbe` sends the HEAD through the transport (its auth, retries and the gate itself). */
  constructor(
    registry: string,
    options: EndpointOptions,
    policy: RetryPolicy,
    gates: HostGates | undefined,
    sendProbe: (probe: QuotaProbe) => Promise<void>,
  ) {
    this.#registry = registry;
    this.#gate = gates?.gate(registry, options);
    // A 429 without Retry-After pauses the host for this transport's backoff.
    if (this.#gate) this.#gate.backoff = { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs };
    this.#sendProbe = sendProbe;
  }

  /**
   * What a request to the registry passes: the host's gate, and whether it waits for a turn under
   * `maxConcurrent` (an upload fed by a download from this very host does not: the download holds one).
   */
  forRequest(fedBy?: string): { gate: HostGate; waitForTurn: boolean } | undefined {
    return this.#gate ? { gate: this.#gate, waitForTurn: fedBy !== this.#registry } : undefined;
  }

  /** Docker Hub's quota headers come with manifest answers, HEADs too: one to ask again while GETs wait. */
  observe(response: { headers: Dispatcher.ResponseData['headers'] }, url: URL, scopes: readonly string[]): void {
    const gate = this.#gate;
    if (!gate || headerValue(response, 'ratelimit-remaining') === undefined || !/\/manifests\/[^/]+$/.test(url.pathname)) return;
    this.#probe = { url, scopes };
    gate.quota.probe = async () => {
      const probe = this.#probe;
      if (probe) await this.#sendProbe(probe);
    };
  }
}
