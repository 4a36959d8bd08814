import { readFileSync } from 'node:fs';

/** Replaced by the package's version when scripts/bundle.mjs bundles the CLI (esbuild `define`). */
declare const __PICTURE_BOOK_VERSION__: string | undefined;

/**
 * The version from package.json. The bundle has it built in: its chunks sit at other depths than
 * these modules, so a path relative to them would point nowhere after install. Compiled modules
 * (dist/src/transport/) read it from the package root, three levels up, which npm always ships.
 */
function packageVersion(): string {
  if (typeof __PICTURE_BOOK_VERSION__ === 'string') return __PICTURE_BOOK_VERSION__;
  // The bundle drops this block (esbuild `dropLabels`), so it holds no path to package.json at all.
  // eslint-disable-next-line no-unused-labels -- the bundler finds this block by its label to drop it
  UNBUNDLED: {
    try {
      const doc = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      if (typeof doc.version === 'string') return doc.version;
    } catch {
      // Not where a package keeps it: say so in the User-Agent rather than fail.
    }
  }
  return 'unknown';
}

export const PICTURE_BOOK_VERSION = packageVersion();

/** Sent on every request: registries and proxies log and rate-limit by it. */
export const USER_AGENT = `picture-book/${PICTURE_BOOK_VERSION}`;
