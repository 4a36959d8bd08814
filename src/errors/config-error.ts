import { PictureBookError } from './picture-book-error.js';

/** One problem found in a configuration file, with where it is. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Key path such as `registries[0].syncPeriod`. */
  path: string;
  message: string;
}

/** A configuration that cannot be used. Carries every problem found, not only the first. */
export class ConfigError extends PictureBookError {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const lines = problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
    super('CONFIG_INVALID', lines.join('\n'));
    this.problems = problems;
  }
}
