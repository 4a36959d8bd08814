import type { FaultAction } from '../harness/index.js';
import type { ChaosRandom } from './chaos-kit.js';

/** One random fault storm for the fault proxy in front of either registry (see proxy-faults.test.ts). */
export interface Storm {
  side: 'source' | 'target';
  method: string;
  pathPattern: RegExp;
  times: number;
  action: FaultAction;
  /** Longest wait the fault can impose on its own (Retry-After, a timeout), per hit. */
  waitMs: number;
  what: string;
}

/** Request classes a storm can hit on each side (the target gets HEADs, uploads and the manifest PUT). */
const CLASSES: Record<'source' | 'target', ReadonlyArray<readonly [string, RegExp]>> = {
  source: [
    ['GET', /\/manifests\//],
    ['HEAD', /\/manifests\//],
    ['GET', /\/blobs\/sha256:/],
  ],
  target: [
    ['HEAD', /\/manifests\//],
    ['HEAD', /\/blobs\//],
    ['POST', /\/blobs\/uploads\//],
    ['PUT', /\/blobs\/uploads\//],
    ['PUT', /\/manifests\//],
  ],
};

export function randomStorm(random: ChaosRandom, stallHitMs: number): Storm {
  const side = random.pick(['source', 'target'] as const);
  const [method, pathPattern] = random.pick(CLASSES[side]);
  const kind = random.pick(['429-retry-after', '429', '5xx', 'reset', 'truncate', 'trickle', 'stall-upload', 'cut-upload'] as const);
  const times = random.int(
    1,
    kind === 'trickle' || kind === 'stall-upload' ? 2 : kind === 'reset' || kind === 'truncate' || kind === 'cut-upload' ? 4 : 10,
  );
  const base = { side, method, pathPattern, times };
  switch (kind) {
    case '429-retry-after': {
      const seconds = random.int(0, 1);
      return {
        ...base,
        action: { kind: 'status', status: 429, headers: { 'retry-after': String(seconds) } },
        waitMs: seconds * 1000,
        what: `${times}x 429 Retry-After: ${seconds}`,
      };
    }
    case '429':
      return { ...base, action: { kind: 'status', status: 429 }, waitMs: 0, what: `${times}x 429` };
    case '5xx': {
      const status = random.pick([500, 502, 503, 504]);
      return { ...base, action: { kind: 'status', status }, waitMs: 0, what: `${times}x ${status}` };
    }
    case 'reset':
      return { ...base, action: { kind: 'reset' }, waitMs: 0, what: `${times}x reset` };
    case 'truncate': {
      const afterBytes = random.int(0, 200_000);
      // A cut only means something on an answer with a body: make it a GET of the source.
      return {
        ...base,
        side: 'source',
        method: 'GET',
        pathPattern: random.next() < 0.5 ? /\/blobs\/sha256:/ : /\/manifests\//,
        action: { kind: 'truncate', afterBytes },
        waitMs: 0,
        what: `${times}x body cut after ${afterBytes} bytes`,
      };
    }
    case 'trickle': {
      // One byte every second or two after the first bytes: a total deadline or the minimum rate must end it.
      const afterBytes = random.int(0, 100_000);
      const everyMs = random.int(1000, 2000);
      return {
        ...base,
        side: 'source',
        method: 'GET',
        pathPattern: random.next() < 0.5 ? /\/blobs\/sha256:/ : /\/manifests\//,
        action: { kind: 'trickle', afterBytes, bytes: 1, everyMs },
        waitMs: stallHitMs,
        what: `${times}x trickle of 1 byte every ${everyMs} ms after ${afterBytes} bytes`,
      };
    }
    case 'cut-upload': {
      const afterBytes = random.int(0, 1_000_000);
      return {
        ...base,
        side: 'target',
        method: random.pick(['PUT', 'PATCH']),
        pathPattern: /\/blobs\/uploads\//,
        action: { kind: 'cut-request', afterBytes },
        waitMs: 0,
        what: `${times}x upload cut after ${afterBytes} bytes`,
      };
    }
    case 'stall-upload': {
      const afterBytes = random.int(0, 1_000_000);
      return {
        ...base,
        side: 'target',
        method: 'PUT',
        pathPattern: /\/blobs\/uploads\//,
        action: { kind: 'stallUpload', afterBytes },
        waitMs: stallHitMs,
        what: `${times}x upload not read after ${afterBytes} bytes`,
      };
    }
  }
}
