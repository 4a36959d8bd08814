import { createRequire } from 'node:module';
import type { Agent as UndiciAgent } from 'undici';
import { PictureBookError } from '../errors/index.js';

/**
 * undici's Agent without the rest of undici. Its index also loads fetch, WebSocket, cookies and
 * caches, and through them Node's own bundled undici: about 70 ms and 9 MB at every start of a CLI
 * that needs only the Agent. These are the files the index itself requires (undici has no
 * `exports` map), as of the minor package.json pins undici to (~7.30): they are not its API and
 * may move in another minor. undici-agent.test.ts checks they are there and are the very classes
 * undici exports.
 */
export const UNDICI_INTERNALS = [
  'undici/lib/dispatcher/dispatcher.js',
  'undici/lib/api/index.js',
  'undici/lib/dispatcher/agent.js',
] as const;

const require = createRequire(import.meta.url);

/** One of undici's internal files; one that is gone says so, rather than "Cannot find module". */
export function undiciInternal(path: string): unknown {
  try {
    return require(path);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new PictureBookError(
      'INTERNAL',
      `undici's internal path ${path} moved; update src/transport/undici-agent.ts for the undici installed`,
      { cause: error },
    );
  }
}

const [dispatcherPath, apiPath, agentPath] = UNDICI_INTERNALS;
const Dispatcher = undiciInternal(dispatcherPath) as { prototype: object };
const requestApi = undiciInternal(apiPath) as object;

// What undici's index does before exporting: gives every dispatcher request(), stream(), ...
Object.assign(Dispatcher.prototype, requestApi);

export const Agent = undiciInternal(agentPath) as typeof UndiciAgent;
export type Agent = UndiciAgent;
