import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FaultAction, RecordedRequest, RewriteAction } from './fault-types.js';

/* Fault behaviours of the proxy that need none of its state (see fault-proxy.ts). */

// Hop-by-hop headers describe one connection, not the message; Node re-derives framing itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'te', 'trailer', 'upgrade']);

export function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/** Sends the first `afterBytes` of the answer at once, then `bytes` bytes every `everyMs`. */
export function trickle(
  answer: IncomingMessage,
  res: ServerResponse,
  action: { afterBytes: number; bytes: number; everyMs: number },
): void {
  const queue: Buffer[] = [];
  let ended = false;
  let sent = 0;
  const send = (limit: number): void => {
    let left = limit;
    while (left > 0 && queue.length > 0) {
      const head = queue[0] as Buffer;
      const part = head.subarray(0, left);
      res.write(part);
      sent += part.length;
      left -= part.length;
      if (part.length === head.length) queue.shift();
      else queue[0] = head.subarray(part.length);
    }
  };
  res.flushHeaders();
  answer.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    if (sent < action.afterBytes) send(action.afterBytes - sent);
  });
  answer.once('end', () => (ended = true));
  const timer = setInterval(() => {
    if (sent >= action.afterBytes) send(action.bytes);
    if (ended && queue.length === 0) {
      clearInterval(timer);
      res.end();
    }
  }, action.everyMs);
  res.once('close', () => {
    clearInterval(timer);
    answer.destroy();
  });
}

/** Reads the (small, JSON) answer whole and sends it on with its Link header or its list rewritten. */
export function rewrite(answer: IncomingMessage, res: ServerResponse, path: string, action: RewriteAction, fail: () => void): void {
  const chunks: Buffer[] = [];
  answer.on('data', (chunk: Buffer) => chunks.push(chunk));
  answer.once('error', fail);
  answer.once('end', () => {
    const headers = endToEnd(answer.headers);
    delete headers.link;
    delete headers['content-length'];
    let body: Buffer = Buffer.concat(chunks);
    let link: string | undefined;
    if (action.kind === 'link') link = action.link(path);
    else if ((answer.statusCode ?? 0) === 200) [body, link] = paginate(body, path, action);
    res.writeHead(answer.statusCode ?? 0, answer.statusMessage, {
      ...headers,
      ...(link === undefined ? {} : { link }),
      'content-length': String(body.length),
    });
    res.end(body);
  });
}

/** Passes the first `afterBytes` of the request body on, then breaks both connections. */
export function cutRequest(req: IncomingMessage, upstream: ReturnType<typeof request>, record: RecordedRequest, afterBytes: number): void {
  const onData = (chunk: Buffer): void => {
    const part = chunk.subarray(0, afterBytes - record.bytesIn);
    record.bytesIn += part.length;
    if (record.bytesIn < afterBytes) {
      upstream.write(part);
      return;
    }
    req.off('data', onData);
    req.pause();
    // Broken once the kept bytes are flushed, so the registry really received N bytes first.
    upstream.write(part, () => {
      upstream.destroy();
      req.socket.destroy();
    });
  };
  req.on('data', onData);
  req.once('end', () => upstream.end()); // the body was shorter than N: nothing to cut
}

/** One page of `field` after the request's `last`, and the relative Link to the next one (if any). */
function paginate(body: Buffer, path: string, action: Extract<FaultAction, { kind: 'paginate' }>): [Buffer, string | undefined] {
  const url = new URL(path, 'http://proxy');
  const doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const all = Array.isArray(doc[action.field]) ? (doc[action.field] as string[]).slice().sort() : [];
  const last = url.searchParams.get('last');
  const after = last === null ? all : all.filter((name) => name > last);
  const page = after.slice(0, action.size);
  doc[action.field] = page;
  const lastOfPage = page.at(-1);
  const link =
    after.length > page.length && lastOfPage !== undefined
      ? `<${url.pathname}?n=${action.size}&last=${encodeURIComponent(lastOfPage)}>; rel="next"`
      : undefined;
  return [Buffer.from(JSON.stringify(doc)), link];
}
