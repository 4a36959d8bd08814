import { isScalar, isSeq, type YAMLMap } from 'yaml';
import type { Located, Problems, SyncerFile } from './syncer-file.js';

/** One image-syncer rule: a source and one of its destinations ('' for the default registry). */
export interface ImageRule {
  source: Located;
  destination: Located;
}

/**
 * The rules of an images mapping (an images file, or the `images:` of an older config file):
 * `SOURCE: DEST`, `SOURCE: ""` (the default registry) or `SOURCE: [DEST, DEST]` (one source,
 * several destinations). An empty source, or a value that is neither text nor a list of text, is a
 * problem at its place.
 */
export function readImages(file: SyncerFile, map: YAMLMap, problems: Problems, prefix = ''): ImageRule[] {
  const rules: ImageRule[] = [];
  for (const { key, value, valueAt } of file.entries(map, problems, prefix)) {
    const path = `${prefix}${key.text}`;
    if (key.text.trim() === '') {
      problems.add(key.at, path, 'the source is empty: name the images to copy (image-syncer refuses an empty source too)');
      continue;
    }
    const source = { text: key.text.trim(), at: key.at };
    if (isSeq(value)) {
      if (value.items.length === 0) problems.add(valueAt, path, 'an empty list of destinations: write "" for the default registry');
      value.items.forEach((item, i) => {
        const at = file.placeOf(isScalar(item) ? item : null, valueAt);
        const text = isScalar(item) ? file.text(item, at, problems, `${path}[${i}]`, 'a destination') : undefined;
        if (!isScalar(item)) problems.add(at, `${path}[${i}]`, 'a destination must be text');
        if (text !== undefined) rules.push({ source, destination: { text: text.trim(), at } });
      });
      continue;
    }
    const text = file.text(value, valueAt, problems, path, 'a destination');
    if (text !== undefined) rules.push({ source, destination: { text: text.trim(), at: valueAt } });
  }
  return rules;
}
