import { PictureBookError } from './picture-book-error.js';

export type LayoutErrorCode = 'LAYOUT_INVALID' | 'LAYOUT_IO' | 'BLOB_MISSING';

/** What the system said, in words a person can act on: the errno's meaning, else its own message. */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EIO: 'input/output error (the disk may be failing)',
  EMFILE: 'too many open files',
};

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && ERRNO_WORDS[code]) return `${ERRNO_WORDS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** A problem with an OCI layout or archive on disk; the message names the file. Never retried as a network failure. */
export class LayoutError extends PictureBookError {
  /** The file or directory concerned. */
  readonly path: string;

  constructor(code: LayoutErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }

  /** `cannot <action> <path>: <reason>` for a failed file operation; a LayoutError passes unchanged. */
  static io(action: string, path: string, error: unknown): PictureBookError {
    if (error instanceof PictureBookError) return error;
    return new LayoutError('LAYOUT_IO', path, `cannot ${action} ${path}: ${reasonOf(error)}`, { cause: error });
  }

  /** Whether a file operation failed because the path is not there. */
  static isMissing(error: unknown): boolean {
    const code = (error as { code?: unknown } | undefined)?.code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}
