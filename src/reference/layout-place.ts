import { isAbsolute, resolve } from 'node:path';
import { InvalidReferenceError } from '../errors/index.js';

/** An OCI image layout directory (`oci:`), or the same layout in a tar file (`oci-archive:`). */
export type LayoutKind = 'oci' | 'oci-archive';

/** Where a layout is: its kind and absolute path. Its place string is `oci:/abs/dir` or `oci-archive:/abs/file.tar`. */
export interface LayoutPlace {
  kind: LayoutKind;
  path: string;
}

const PREFIXES: readonly LayoutKind[] = ['oci-archive', 'oci'];

/**
 * The layout kind `text` starts with (`oci:` or `oci-archive:`), if any. `oci://` is a URL someone
 * pasted (maybe with credentials in it), not a layout: the registry parser refuses it and masks them.
 */
export function layoutPrefix(text: string): LayoutKind | undefined {
  return PREFIXES.find((kind) => text.startsWith(`${kind}:`) && !text.startsWith(`${kind}://`));
}

/** Whether a reference's place (its `registry`) is a layout rather than a registry host. */
export function isLayoutPlace(place: string): boolean {
  return layoutPrefix(place) !== undefined;
}

/** The kind and path of a layout place string (`oci:/abs/dir`); undefined for a registry host. */
export function layoutOf(place: string): LayoutPlace | undefined {
  const kind = layoutPrefix(place);
  return kind ? { kind, path: place.slice(kind.length + 1) } : undefined;
}

/**
 * `oci:DIR` or `oci-archive:FILE` as a place, its path made absolute against `base` (the working
 * directory, or the directory of config.yaml). A path holds no `:` (it would end the path, as in
 * skopeo) and no whitespace at its ends.
 */
export function parseLayoutPlace(text: string, base: string = process.cwd()): string {
  const kind = layoutPrefix(text);
  if (!kind) throw new InvalidReferenceError(text, 'layout', 'must start with "oci:" or "oci-archive:"');
  const path = text.slice(kind.length + 1);
  if (path === '')
    throw new InvalidReferenceError(text, 'layout path', `is empty: write ${kind}:/path/to/${kind === 'oci' ? 'dir' : 'file.tar'}`);
  if (path.includes(':'))
    throw new InvalidReferenceError(text, 'layout path', 'must not contain ":" (it separates the path from the image name)');
  if (path.trim() !== path || /[\0\n\r]/.test(path))
    throw new InvalidReferenceError(text, 'layout path', 'must not start or end with whitespace or hold control characters');
  const absolute = isAbsolute(path) ? resolve(path) : resolve(base, path);
  return `${kind}:${absolute}`;
}
