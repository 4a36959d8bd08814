import { PictureBookError } from './picture-book-error.js';

/** What the registry lacks: the whole repository, or only the tag or digest asked for (unknown when it would not say). */
export type MissingPart = 'repository' | 'tag' | 'digest' | undefined;

export interface NotFoundDetail {
  missing?: MissingPart;
  /** `host/repository` as the registry knows it. */
  repository?: string;
  /** The tag or digest that was asked for. */
  identifier?: string;
  cause?: unknown;
}

/** The source registry has no manifest for this reference (unknown tag, digest or repository). */
export class ImageNotFoundError extends PictureBookError {
  readonly reference: string;
  readonly missing: MissingPart;

  constructor(reference: string, detail: NotFoundDetail = {}) {
    super(
      'IMAGE_NOT_FOUND',
      `image ${reference} not found${why(detail)}`,
      detail.cause === undefined ? undefined : { cause: detail.cause },
    );
    this.reference = reference;
    this.missing = detail.missing;
  }
}

function why({ missing, repository, identifier }: NotFoundDetail): string {
  if (!missing || !repository) return '';
  if (missing === 'repository') return `: repository ${repository} does not exist`;
  return missing === 'tag'
    ? `: repository ${repository} has no tag "${identifier}"`
    : `: repository ${repository} has no manifest ${identifier}`;
}
