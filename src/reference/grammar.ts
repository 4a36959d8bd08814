import { InvalidReferenceError } from '../errors/index.js';

// distribution/reference: path components are lowercase alphanumerics joined by '.', '_', '__' or '-'+.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
// \w without the u flag is ASCII only, as Go's is.
const TAG = /^[\w][\w.-]{0,127}$/;
const TAG_MAX = 128;
const NAME_MAX = 255;

/** Checks every `/`-separated component of a repository path; `input` is what the error quotes. */
export function validateRepository(input: string, repository: string): void {
  if (repository === '') throw new InvalidReferenceError(input, 'name', 'has no repository path');
  for (const component of repository.split('/')) {
    if (component === '') throw new InvalidReferenceError(input, 'name', 'has an empty path component');
    if (COMPONENT.test(component)) continue;
    const lowered = component.toLowerCase();
    const reason =
      lowered !== component && COMPONENT.test(lowered)
        ? 'must be lowercase'
        : 'may contain only lowercase letters and digits, separated by ".", "_", "__" or "-"';
    throw new InvalidReferenceError(input, `path component "${component}"`, reason);
  }
}

export function validateTag(input: string, tag: string): void {
  if (TAG.test(tag)) return;
  let reason: string;
  if (tag === '') reason = 'is empty';
  else if (tag.length > TAG_MAX) reason = `is longer than ${TAG_MAX} characters`;
  else reason = `"${tag}" may contain only letters, digits, "_", "." and "-", and must not start with "." or "-"`;
  throw new InvalidReferenceError(input, 'tag', reason);
}

/** The whole name (registry + '/' + repository) is limited to 255 characters. */
export function validateNameLength(input: string, name: string): void {
  if (name.length > NAME_MAX) throw new InvalidReferenceError(input, 'name', `is longer than ${NAME_MAX} characters`);
}

/** Whether `repository` is a repository path by the grammar (every component valid, not empty). */
export function isRepositoryPath(repository: string): boolean {
  return repository !== '' && repository.length <= NAME_MAX && repository.split('/').every((c) => COMPONENT.test(c));
}

export function isTag(tag: string): boolean {
  return TAG.test(tag);
}
