import { RuleError, type RuleField } from './rule-error.js';

/** A compiled `include`/`exclude` entry: the text as written, and the anchored expression. */
export interface Pattern {
  source: string;
  regex: RegExp;
}

/**
 * Compiles a list of regular expressions, each anchored as written: `^(?:...)$` is implied, so
 * `v3\..*` matches `v3.5.0` but not `xv3.5`, and `.*-alpine` is needed for a suffix. Writing the
 * anchors yourself changes nothing. An invalid expression is a RuleError naming its place.
 */
export function compilePatterns(patterns: readonly string[], field: RuleField): Pattern[] {
  return patterns.map((source, index) => {
    if (source === '') throw new RuleError([...field, index], 'is empty: write a regular expression (".*" matches everything)');
    try {
      // Compiled alone first: `a)|(b` is refused rather than escaping the anchors around it.
      new RegExp(source);
      return { source, regex: new RegExp(`^(?:${source})$`) };
    } catch (error) {
      // V8's message quotes the expression again; keep only the reason.
      const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
      throw new RuleError([...field, index], `invalid regular expression ${JSON.stringify(source)}: ${reason}`, { cause: error });
    }
  });
}

/** The first pattern that matches the whole of `text`, if any. */
export function firstMatch(patterns: readonly Pattern[], text: string): Pattern | undefined {
  return patterns.find((pattern) => pattern.regex.test(text));
}
