import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** The dashboard's files by name as JSON, built in by scripts/bundle.mjs (esbuild `define`). */
declare const __PICTURE_BOOK_UI__: string | undefined;

export interface UiAsset {
  contentType: string;
  body: Buffer;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/**
 * The page's files. The bundle carries them, so the package needs no path to find them; compiled
 * modules (dist/src/server/dashboard/) read what the bundler wrote to dist/ui/.
 */
function builtFiles(): Record<string, string> {
  if (typeof __PICTURE_BOOK_UI__ === 'string') return JSON.parse(__PICTURE_BOOK_UI__) as Record<string, string>;
  // eslint-disable-next-line no-unused-labels -- the bundler finds this block by its label to drop it
  UNBUNDLED: {
    try {
      const dir = new URL('../../../ui/', import.meta.url);
      return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(new URL(name, dir), 'utf8')]));
    } catch {
      // Not built: the page answers 404 saying so.
    }
  }
  return {};
}

let assets: Map<string, UiAsset> | undefined;

/** A file of the page by name (`index.html`, `app.js`, ...), or undefined. */
export function uiAsset(name: string): UiAsset | undefined {
  assets ??= new Map(
    Object.entries(builtFiles()).flatMap(([file, text]) => {
      const contentType = CONTENT_TYPES[file.split('.').pop() ?? ''];
      if (!contentType) return [];
      const body = Buffer.from(text, 'utf8');
      return [[file, { contentType, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }]];
    }),
  );
  return assets.get(name);
}
