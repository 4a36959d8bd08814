import { ContentError } from '../errors/index.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string | undefined;
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** `os/arch[/variant]`, as docker and skopeo spell it. */
export function parsePlatform(value: string): Platform {
  const parts = value.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/i.test(p))) {
    throw new ContentError('PLATFORM_INVALID', `invalid platform "${value}": expected os/arch or os/arch/variant`);
  }
  const [os = '', architecture = '', variant] = parts;
  return { os, architecture, variant };
}

/** A platform asked for without a variant matches any variant of that os/arch. */
export function platformMatches(wanted: Platform, actual: Platform | undefined): boolean {
  if (!actual) return false;
  if (wanted.os !== actual.os || wanted.architecture !== actual.architecture) return false;
  return wanted.variant === undefined || wanted.variant === actual.variant;
}
