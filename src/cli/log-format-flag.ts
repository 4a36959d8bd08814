import { InvalidArgumentError } from 'commander';

/** `--log-format`'s value, as load and image-syncer take it. */
export function logFormat(value: string): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw new InvalidArgumentError('expected text or json');
  return value;
}
