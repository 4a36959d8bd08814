import { ApiError } from './api-error.js';

/** A key that would reach an object's prototype if the body were merged into one with `Object.assign`. */
function poisonedKey(value: unknown): string | undefined {
  const pending: Array<[unknown, string]> = [[value, '']];
  while (pending.length > 0) {
    const [node, path] = pending.pop() as [unknown, string];
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node) as Array<[string, unknown]>) {
      const at = Array.isArray(node) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (key === '__proto__') return at;
      if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype'))
        return `${at}.prototype`;
      pending.push([child, at]);
    }
  }
  return undefined;
}

/**
 * The API's JSON body parser. JSON.parse makes `__proto__` an own key (no pollution by itself), but
 * such a key is refused by name instead of being called invalid JSON or dropped without a word.
 * Syntax errors say where, never quoting the body (it may hold credentials). An empty body is no
 * body (`curl -X POST -H 'Content-Type: application/json'` without `-d`): a route that takes none
 * accepts it, one that needs one says the body is missing.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new ApiError(400, 'INVALID_BODY', `the body is not valid JSON${position === undefined ? '' : ` (at character ${position})`}`);
  }
  const key = poisonedKey(value);
  if (key !== undefined)
    throw new ApiError(
      400,
      'INVALID_BODY',
      `${key}: keys named "__proto__" (or "constructor.prototype") are refused: they could reach an object's prototype`,
    );
  return value;
}
