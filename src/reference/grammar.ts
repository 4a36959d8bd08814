import { InvalidReferenceError } from '../errors/index.js';

// distribution/reference: path components are lowercase alphanumerics joined by '.', '_', '__' or '-'+.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const NAME_MAX = 255;

export function validateRepository(input: string, repository: string): void {
  if (repository === '') throw new InvalidReferenceError(input, 'name', 'has no repository path');
  for (const component of repository.split('/')) {
    if (component === '') throw new InvalidReferenceError(input, 'name', 'has an empty path component');
    if (!COMPONENT.test(component)) {
      const reason = component !== component.toLowerCase() && COMPONENT.test(component.toLowerCase())
        ? 'must be lowercase'
        : 'may contain only lowercase letters, digits and separators (., _, __, -)';
      throw new InvalidReferenceError(input, `path component "${component}"`, reason);
    }
  }
}

export function validateTag(input: string, tag: string): void {
  if (!TAG.test(tag)) {
    throw new InvalidReferenceError(input, 'tag', tag.length > 128 ? 'is longer than 128 characters' : `"${tag}" may contain only letters, digits, _, . and - (not first)`);
  }
}

export function validateNameLength(input: string, name: string): void {
  if (name.length > NAME_MAX) throw new InvalidReferenceError(input, 'name', `is longer than ${NAME_MAX} characters`);
}
