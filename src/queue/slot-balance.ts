import type { SlotGate } from './slot-gate.js';

/** The BullMQ slots SlotBalance pauses and resumes (slot-workers.ts). */
export interface PausableSlots {
  pause(slot: number): Promise<void>;
  resume(slot: number): void;
}

/**
 * Which of a worker's BullMQ slots wait for jobs: as many as the worker needs, its free copy slots
 * or, all of them busy, the jobs it may still hold ahead (`prefetch`); the other slots without a
 * job are paused. When every slot waited in Redis's line, an idle worker took up to twice its copy
 * slots from a burst of jobs and held half of them while another worker had free slots, each for
 * up to the hold limit (seen once: a job taken 1,046 ms after it was added). Slot 0 is the first
 * kept taking: it looks for stalled jobs. A slot that handed a job back takes no other until one of
 * the worker's copies ends (or it would take the same job again).
 */
export class SlotBalance {
  #idle: Set<number>;
  #returned = new Set<number>();
  #stopped = false;

  constructor(
    private readonly slots: PausableSlots,
    private readonly gate: Pick<SlotGate, 'free' | 'waiting'>,
    private readonly prefetch: number,
    count: number,
  ) {
    this.#idle = new Set(Array.from({ length: count }, (_, slot) => slot));
  }

  /** Slot `slot` has a job: running, or held for a copy slot. */
  taken(slot: number): void {
    this.#idle.delete(slot);
  }

  /** Slot `slot` has no job any more (its copy ended, or the job went back to the queue). */
  ended(slot: number): void {
    this.#idle.add(slot);
    this.balance();
  }

  /** Slot `slot` hands its job back: paused until one of the worker's copies ends. */
  async handingBack(slot: number): Promise<void> {
    this.#returned.add(slot);
    await this.slots.pause(slot);
  }

  /** The hand-back failed: slot `slot` keeps its job and takes again after it. */
  keptBack(slot: number): void {
    this.#returned.delete(slot);
    if (!this.#stopped) this.slots.resume(slot);
  }

  /** A copy ended and left its copy slot free: slots that handed a job back may take again. */
  copyEnded(): void {
    this.#returned.clear();
    this.balance();
  }

  /** The worker stops: no slot is resumed any more. */
  stop(): void {
    this.#stopped = true;
  }

  /** Pauses the slots without a job that are not needed, resumes those that are. */
  balance(): void {
    if (this.#stopped) return;
    const wanted = this.gate.free > 0 ? this.gate.free : Math.max(0, this.prefetch - this.gate.waiting);
    const idle = [...this.#idle].filter((slot) => !this.#returned.has(slot)).sort((a, b) => a - b);
    idle.forEach((slot, i) => (i < wanted ? this.slots.resume(slot) : void this.slots.pause(slot)));
  }
}
