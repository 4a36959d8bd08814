import { CancelledError, errorMessage } from '../errors/index.js';
import type { SelectionProblem } from './expansion.js';
import { CatalogUnavailableError, RepositoryNotFoundError } from './listing-errors.js';
import type { SelectionRule } from './rule.js';

/**
 * The problem a failed listing is for a rule. A cancellation is not a problem: it is thrown on.
 * A repository that vanished after the catalog listed it is a warning (skipped, the rest goes on);
 * a repository a repository rule names that does not exist is an error, as a missing image is.
 */
export function listingProblem(
  error: unknown,
  rule: SelectionRule,
  where: { registry: string; repository?: string; fromCatalog?: boolean },
  signal: AbortSignal | undefined,
): SelectionProblem {
  const what = where.repository === undefined ? `the catalog of ${where.registry}` : `the tags of ${where.registry}/${where.repository}`;
  const cancelled = CancelledError.ifAborted([signal], `${rule.label}: listing ${what}`, error);
  if (cancelled) throw cancelled;
  const base = {
    rule: rule.label,
    registry: where.registry,
    ...(where.repository === undefined ? {} : { repository: where.repository }),
    error,
  };
  if (error instanceof CatalogUnavailableError)
    return { ...base, code: 'CATALOG_UNAVAILABLE', severity: 'error', message: `${rule.label}: ${error.message}` };
  if (error instanceof RepositoryNotFoundError) {
    return where.fromCatalog === true
      ? {
          ...base,
          code: 'REPOSITORY_NOT_FOUND',
          severity: 'warning',
          message: `${rule.label}: ${error.registry}/${error.repository} was in the catalog but is gone now (${error.detail}); skipped`,
        }
      : { ...base, code: 'REPOSITORY_NOT_FOUND', severity: 'error', message: `${rule.label}: ${error.message}` };
  }
  const message = errorMessage(error);
  return { ...base, code: 'LISTING_FAILED', severity: 'error', message: `${rule.label}: listing ${what} failed: ${message}` };
}
