import { SCHEME } from '../errors/mask-userinfo.js';
import { parseReference, type Reference } from '../reference/index.js';
import { compileRule, type SelectionRule } from './rule.js';
import { splitTagList } from './rule-source.js';
import { RuleError } from './rule-error.js';

/** An `images:` entry or a syncer-script line: one image, or (explicit forms) a rule over a repository's tags. */
export type ImageEntry = { kind: 'reference'; reference: Reference } | { kind: 'rule'; rule: SelectionRule };

/** `repo:*` -> [repo, undefined]; `repo:/regex/` -> [repo, regex]; anything else -> undefined. */
function splitTagSelector(text: string): [string, string | undefined] | undefined {
  // `https://...` is a URL, not a selector: parseReference says why it is refused.
  if (SCHEME.test(text)) return undefined;
  if (text.endsWith(':*')) return [text.slice(0, -2), undefined];
  // A registry port is digits, so the first ':/' starts the regex; the regex may hold '/' and ':'.
  const open = text.indexOf(':/');
  if (open > 0 && text.endsWith('/') && text.length >= open + 3) return [text.slice(0, open), text.slice(open + 2, -1)];
  return undefined;
}

/**
 * Parses one `images:` entry or syncer-script line. A plain reference keeps its meaning (no tag
 * still means `latest`). Two explicit forms select among a repository's tags, and neither can be
 * mistaken for a tag (`*` and `/` are not allowed in tags):
 * - `repo:*`: every tag of the repository (a repository rule);
 * - `repo:/regex/`: the tags the regex matches whole, anchored as `tags.include` is (`app:/v1\..*\/`).
 * A comma-separated list (`repo:v1,v2`, image-syncer's form) is those tags, each one image, unlisted.
 * Errors are InvalidReferenceError for a bad reference, RuleError for a bad selector.
 */
export function parseImageEntry(text: string, label?: string): ImageEntry {
  if (splitTagList(text)) return { kind: 'rule', rule: compileRule({ source: text }, label ?? text) };
  const selector = splitTagSelector(text);
  if (!selector) return { kind: 'reference', reference: parseReference(text) };
  const [repository, regex] = selector;
  const reference = parseReference(repository);
  if (reference.tag !== undefined || reference.digest !== undefined) {
    throw new RuleError(
      [],
      `invalid image "${text}": ${regex === undefined ? '":*"' : '":/regex/"'} follows a repository, not a tag or digest`,
    );
  }
  const source = `${reference.registry}/${reference.repository}`;
  try {
    return { kind: 'rule', rule: compileRule({ source, ...(regex === undefined ? {} : { tags: { include: [regex] } }) }, label ?? text) };
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    const subject = error.message.startsWith('is ') ? 'the tag regex ' : '';
    throw new RuleError([], `invalid image "${text}": ${subject}${error.message}`, { cause: error });
  }
}
