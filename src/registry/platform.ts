import { ContentError } from '../errors/index.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string | undefined;
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** What a platform filter does with an image that lacks a platform asked for: fail it, or skip it with a note. */
export type MissingPlatforms = 'fail' | 'skip';

/** The OS or the architecture of a platform asked for as `*`: any (`linux/*`; image-syncer's `--os` or `--arch` alone). */
export const ANY = '*';

/** `os/arch[/variant]`, as docker and skopeo spell it; the OS or the architecture may be `*` (any). */
export function parsePlatform(value: string): Platform {
  const parts = value.split('/');
  const valid = (part: string, i: number) => /^[a-z0-9_.-]+$/i.test(part) || (i < 2 && part === ANY);
  if (parts.length < 2 || parts.length > 3 || !parts.every(valid)) {
    throw new ContentError('PLATFORM_INVALID', `invalid platform "${value}": expected os/arch or os/arch/variant`);
  }
  const [os = '', architecture = '', variant] = parts;
  return { os, architecture, variant };
}

/** A platform asked for with `*` stands for every platform it matches, not for the first one. */
export const isPlatformPattern = (p: Platform): boolean => p.os === ANY || p.architecture === ANY;

/** A platform asked for without a variant matches any variant of that os/arch; `*` matches any OS or architecture. */
export function platformMatches(wanted: Platform, actual: Platform | undefined): boolean {
  if (!actual) return false;
  if ((wanted.os !== ANY && wanted.os !== actual.os) || (wanted.architecture !== ANY && wanted.architecture !== actual.architecture))
    return false;
  return wanted.variant === undefined || wanted.variant === actual.variant;
}
