import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cutRequest, endToEnd, rewrite as rewriteAnswer, trickle } from './fault-bodies.js';
import {
  arrivedRequest,
  type FaultAction,
  type FaultProxy,
  type FaultRule,
  type RecordedRequest,
  type RewriteAction,
} from './fault-types.js';
import { GroupCounter, type GroupTracker } from './group-tracker.js';
import type { TestRegistry } from './registry.js';

export type { FaultAction, FaultProxy, FaultRule, RecordedRequest } from './fault-types.js';

/** `search` ignores lastIndex, so a /g pattern behaves the same on every call. */
const matches = (pattern: RegExp | undefined, path: string): boolean => !pattern || path.search(pattern) >= 0;

/**
 * An HTTP proxy in front of a plain-http registry that records every request and injects faults the
 * registry cannot produce. Host is forwarded unchanged, so the registry's Location headers point back
 * here. Bodies stream through both ways. If the registry itself is down or dies mid-answer, the
 * client's connection is reset (the closest a proxy can get to the real failure).
 */
class Proxy implements FaultProxy {
  readonly requests: RecordedRequest[] = [];
  #faults: FaultRule[] = [];
  #held = new Map<RecordedRequest, () => void>();
  /** Counts release() calls: a stall picked before the latest one must not hold its answer after it. */
  #releases = 0;
  #server: Server;
  #agent = new Agent({ keepAlive: true });
  #upstreamPort: number;
  #port = 0;
  #connections = 0;
  #waiting = new WeakMap<object, number>();
  #maxPipelined = 0;
  #inFlight = 0;
  #maxInFlight = 0;
  #trackers: GroupCounter[] = [];

  constructor(upstreamPort: number) {
    this.#upstreamPort = upstreamPort;
    this.#server = createServer({ requestTimeout: 0 }, (req, res) => {
      // Node's server parses a pipelined request at once and queues its answer behind the earlier ones.
      const socket = req.socket;
      const waiting = (this.#waiting.get(socket) ?? 0) + 1;
      this.#waiting.set(socket, waiting);
      this.#maxPipelined = Math.max(this.#maxPipelined, waiting);
      res.once('close', () => this.#waiting.set(socket, (this.#waiting.get(socket) ?? 1) - 1));
      // In flight until the answer is written whole (before the client can have read its end) or abandoned.
      this.#inFlight++;
      this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
      let done = false;
      const ends = this.#trackers.map((t) => t.begin(req.method ?? '', req.url ?? ''));
      const settle = (): void => {
        if (done) return;
        done = true;
        this.#inFlight--;
        for (const end of ends) end?.();
      };
      res.once('finish', settle).once('close', settle);
      this.#handle(req, res);
    });
    this.#server.on('connection', () => this.#connections++);
  }

  get connections(): number {
    return this.#connections;
  }

  get maxPipelined(): number {
    return this.#maxPipelined;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  get host(): string {
    return `127.0.0.1:${this.#port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  trackGroups(pattern: RegExp, groupOf: (path: string) => string): GroupTracker {
    const tracker = new GroupCounter(pattern, groupOf);
    this.#trackers.push(tracker);
    return tracker;
  }

  addFault(rule: FaultRule): void {
    this.#faults.push({ ...rule });
  }

  get stalled(): readonly RecordedRequest[] {
    return [...this.#held.keys()];
  }

  release(): void {
    this.#releases++;
    const held = [...this.#held.values()];
    this.#held.clear();
    for (const resume of held) resume();
  }

  clearFaults(): void {
    this.#faults = [];
  }

  clearRequests(): void {
    this.requests.length = 0;
    this.#connections = 0;
    this.#maxPipelined = 0;
    this.#maxInFlight = this.#inFlight;
  }

  count(method: string, pathPattern?: RegExp): number {
    return this.requests.filter((r) => r.method === method.toUpperCase() && matches(pathPattern, r.path)).length;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#agent.destroy();
  }

  #takeFault(method: string, path: string): FaultAction | undefined {
    const rule = this.#faults.find((r) => r.times > 0 && (!r.method || r.method.toUpperCase() === method) && matches(r.pathPattern, path));
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) this.#faults = this.#faults.filter((r) => r !== rule);
    return rule.action;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const record = arrivedRequest(req);
    this.requests.push(record);
    const fault = this.#takeFault(record.method, record.path);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      req.resume(); // discard any upload body
      record.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ errors: [{ code: 'INJECTED', message: `injected HTTP ${fault.status}` }] }));
      return;
    }
    if (fault?.kind === 'link' || fault?.kind === 'paginate') return this.#forward(req, res, record, undefined, fault);
    this.#forward(req, res, record, fault);
  }

  #forward(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    fault: Exclude<FaultAction, { kind: 'status' | 'reset' }> | undefined,
    rewrite?: RewriteAction,
  ): void {
    const releasesWhenPicked = this.#releases;
    const cutOrStall = fault?.kind === 'truncate' || fault?.kind === 'stall' ? fault : undefined;
    const upstream = request({
      host: '127.0.0.1',
      port: this.#upstreamPort,
      method: req.method,
      path: rewrite?.kind === 'paginate' ? wholeList(req.url ?? '/') : req.url,
      headers: endToEnd(req.headers), // keeps Host: the client's view of where it is talking
      agent: this.#agent,
    });
    const fail = (): void => {
      record.status = 0;
      upstream.destroy();
      res.socket?.destroy();
    };
    upstream.once('error', fail);
    res.once('close', () => {
      this.#held.delete(record);
      if (!res.writableFinished) upstream.destroy(); // the client went away mid-exchange
    });
    upstream.once('response', (answer) => {
      record.status = answer.statusCode ?? 0;
      if (rewrite) return rewriteAnswer(answer, res, record.path, rewrite, fail);
      const headers = endToEnd(answer.headers);
      if (fault?.kind === 'drop-headers') for (const name of fault.names) delete headers[name.toLowerCase()];
      if (fault?.kind === 'add-headers') for (const [name, value] of Object.entries(fault.headers)) headers[name.toLowerCase()] = value;
      res.writeHead(record.status, answer.statusMessage, headers);
      answer.once('error', fail);
      if (fault?.kind === 'trickle') return trickle(answer, res, fault);
      if (cutOrStall === undefined) {
        answer.on('data', (chunk: Buffer) => (record.bytesOut += chunk.length));
        answer.pipe(res);
        return;
      }
      if (cutOrStall.kind === 'stall') {
        this.#stall(answer, res, record, cutOrStall.afterBytes, releasesWhenPicked);
        return;
      }
      const truncateAfter = cutOrStall.afterBytes;
      let sent = 0;
      const cut = (): void => {
        answer.destroy();
        upstream.destroy();
        // Destroy only once the kept bytes are flushed, so the client really receives N bytes: the
        // empty write sends the headers (a cut at 0), and its callback can come while earlier
        // chunks still wait in the socket's own buffer (up to its 64 KiB mark: seen as a resume 67,198
        // bytes short of N); the socket's end comes after all of them.
        res.write(Buffer.alloc(0), () => {
          const socket = res.socket;
          socket?.end(() => socket.destroy());
        });
      };
      if (truncateAfter === 0) return cut();
      answer.on('data', (chunk: Buffer) => {
        const room = truncateAfter - sent;
        if (room <= 0) return;
        sent += Math.min(room, chunk.length);
        record.bytesOut = sent;
        res.write(chunk.subarray(0, room));
        if (sent >= truncateAfter) cut();
      });
      answer.once('end', () => res.end()); // the body was shorter than N: nothing to cut
    });
    if (fault?.kind === 'stallUpload') return this.#stallUpload(req, upstream, record, fault.afterBytes, releasesWhenPicked);
    if (fault?.kind === 'cut-request') return cutRequest(req, upstream, record, fault.afterBytes);
    req.on('data', (chunk: Buffer) => (record.bytesIn += chunk.length));
    req.pipe(upstream);
  }

  /** Passes the first `afterBytes` of the request body on, then stops reading it until `release()`. */
  #stallUpload(
    req: IncomingMessage,
    upstream: ReturnType<typeof request>,
    record: RecordedRequest,
    afterBytes: number,
    releasesWhenPicked: number,
  ): void {
    let passed = 0;
    const onEnd = (): void => void upstream.end();
    const onData = (chunk: Buffer): void => {
      const room = afterBytes - passed;
      passed += Math.min(room, chunk.length);
      record.bytesIn = passed;
      upstream.write(chunk.subarray(0, room));
      if (passed < afterBytes) return;
      // Not reading any more: the client's socket fills up and its upload stops.
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      const resume = (): void => {
        if (chunk.length > room) {
          record.bytesIn += chunk.length - room;
          upstream.write(chunk.subarray(room));
        }
        req.on('data', (more: Buffer) => (record.bytesIn += more.length));
        req.pipe(upstream);
      };
      // Released since this stall was picked: nothing is held after a release.
      if (this.#releases !== releasesWhenPicked) return resume();
      this.#held.set(record, resume);
    };
    req.on('data', onData);
    req.once('end', onEnd);
  }

  /** Sends the first `afterBytes` of the answer, then holds the rest until `release()`. */
  #stall(answer: IncomingMessage, res: ServerResponse, record: RecordedRequest, afterBytes: number, releasesWhenPicked: number): void {
    let sent = 0;
    const hold = (rest: Buffer): void => {
      answer.off('data', onData);
      answer.off('end', onEnd);
      answer.pause();
      const resume = (): void => {
        record.bytesOut += rest.length;
        if (rest.length > 0) res.write(rest);
        answer.on('data', (chunk: Buffer) => (record.bytesOut += chunk.length));
        answer.pipe(res);
      };
      // Released while the registry was still answering: the test has let this one go already.
      if (this.#releases !== releasesWhenPicked) return resume();
      this.#held.set(record, resume);
    };
    const onData = (chunk: Buffer): void => {
      const room = afterBytes - sent;
      sent += Math.min(room, chunk.length);
      record.bytesOut = sent;
      res.write(chunk.subarray(0, room));
      if (sent >= afterBytes) hold(chunk.subarray(room));
    };
    const onEnd = (): void => void res.end(); // the body was shorter than N: nothing to hold
    if (afterBytes === 0) {
      res.flushHeaders(); // nothing else would send them
      return hold(Buffer.alloc(0));
    }
    answer.on('data', onData);
    answer.once('end', onEnd);
  }
}

/** Fronts a plain-http registry: a real one, or a hand-written one with the same `url`. */
export async function startFaultProxy(upstream: Pick<TestRegistry, 'url' | 'tls'>): Promise<FaultProxy> {
  if (upstream.tls) throw new Error('the fault proxy only fronts plain-http registries');
  const port = Number(new URL(upstream.url).port);
  const proxy = new Proxy(port);
  await proxy.listen();
  return proxy;
}

/**
 * The upstream request of a `paginate` fault: the page the client asked for (`n=2`) is cut by the
 * proxy, so the registry is asked for everything after `last` (`n` at distribution's `maxentries`,
 * 1000: it honours `n` on `_catalog`, and would otherwise end the list at the client's page).
 */
function wholeList(path: string): string {
  const url = new URL(path, 'http://proxy');
  url.searchParams.set('n', '1000');
  return `${url.pathname}${url.search}`;
}
