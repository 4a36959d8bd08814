import { createRequire } from 'node:module';
import type { Agent as UndiciAgent } from 'undici';

/**
 * undici's Agent without the rest of undici. Its index also loads fetch, WebSocket, cookies and
 * caches, and through them Node's own bundled undici: about 70 ms and 9 MB at every start of a CLI
 * that needs only the Agent. These are the files the index itself requires (undici has no
 * `exports` map); undici-agent.test.ts checks they are the very classes undici exports.
 */
const require = createRequire(import.meta.url);
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
const requestApi = require('undici/lib/api/index.js') as object;

// What undici's index does before exporting: gives every dispatcher request(), stream(), ...
Object.assign(Dispatcher.prototype, requestApi);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
export type Agent = UndiciAgent;
