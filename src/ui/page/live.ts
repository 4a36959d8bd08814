import { SseParser } from '../lib/sse-parser.js';
import type { LiveMessage } from '../lib/api-types.js';
import { apiUrl, authHeaders } from './api.js';
import { learnServerTime } from './clock.js';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  message: (message: LiveMessage) => void;
  state: (state: LiveState) => void;
  unauthorized: () => void;
}

const RETRY_MS = [1000, 2000, 5000, 10000];

/**
 * Follows GET /api/sync/live. EventSource cannot send the token, so the stream is read with fetch()
 * and the Authorization header; it reconnects after a break. Returns the stop.
 */
export function followLive(handlers: LiveHandlers): () => void {
  const stop = new AbortController();
  // Read through a call: the loop below awaits, and the stop can come at any await.
  const stopped = () => stop.signal.aborted;
  void (async () => {
    for (let attempt = 0; !stop.signal.aborted; attempt++) {
      handlers.state(attempt === 0 ? 'connecting' : 'reconnecting');
      try {
        const response = await fetch(apiUrl('api/sync/live'), {
          headers: authHeaders(),
          cache: 'no-store',
          credentials: 'omit',
          signal: stop.signal,
        });
        if (response.status === 401) {
          handlers.unauthorized();
          return;
        }
        if (response.ok && response.body) {
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          const parser = new SseParser();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            for (const message of parser.push(value)) {
              if (message.event !== 'live') continue;
              const parsed = JSON.parse(message.data) as LiveMessage;
              learnServerTime(parsed.time);
              attempt = 0;
              handlers.state('live');
              handlers.message(parsed);
            }
          }
        }
      } catch {
        // A break (server restart, network): try again below, unless stopped.
      }
      if (stopped()) return;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
    }
  })();
  return () => stop.abort();
}
