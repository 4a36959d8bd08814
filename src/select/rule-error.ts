import { PictureBookError } from '../errors/index.js';

/** Where in a rule a problem is: `['tags', 'include', 0]`. The config turns it into file, line and key path. */
export type RuleField = ReadonlyArray<string | number>;

/**
 * A selection rule that cannot be used. The message says what is wrong and quotes the bad value;
 * `field` says where in the rule, so each caller (config file, CLI flag, image-list line) can name
 * the place in its own terms.
 */
export class RuleError extends PictureBookError {
  readonly field: RuleField;

  constructor(field: RuleField, message: string, options?: { cause?: unknown }) {
    super('RULE_INVALID', message, options);
    this.field = field;
  }
}
