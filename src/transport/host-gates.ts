import type { HostEvent, HostEventListener, HostLimits } from './host-events.js';
import { HostGate } from './host-gate.js';

const LIMIT_KEYS = ['maxConcurrent', 'requestsPerSecond', 'quotaReserve', 'quotaWaitSeconds'] as const;

/** The limits a host's options state, or undefined when they state none (they leave the host's as they are). */
export function statedLimits(options: HostLimits): HostLimits | undefined {
  if (!LIMIT_KEYS.some((key) => options[key] !== undefined)) return undefined;
  return Object.fromEntries(LIMIT_KEYS.map((key) => [key, options[key]]));
}

/**
 * One HostGate per registry host for the whole process (every run, job and copy): limits protect
 * the host, whoever talks to it. The limits of a host are the last ones stated for it (a transport
 * opened with options that say any, e.g. after a reload); options that state none, like a
 * distribute job's, are held to the ones in force.
 */
export class HostGates {
  #gates = new Map<string, HostGate>();
  #listeners = new Set<HostEventListener>();
  #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Hears every host event of the process; the returned function stops it. */
  listen(listener: HostEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  gate(host: string, options: HostLimits = {}): HostGate {
    const stated = statedLimits(options);
    let gate = this.#gates.get(host);
    if (!gate) {
      gate = new HostGate(host, stated ?? {}, (event) => this.#emit(event), this.#now);
      this.#gates.set(host, gate);
    } else if (stated) gate.limits = stated;
    return gate;
  }

  /** A 429 seen elsewhere pauses `host` here too (see HostGate.pauseFor). */
  pause(host: string, waitMs: number): void {
    this.gate(host).pauseFor(waitMs);
  }

  #emit(event: HostEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
