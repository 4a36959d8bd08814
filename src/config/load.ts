import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, errorMessage, type ConfigProblem } from '../errors/index.js';
import { envSourcedValues, expandEnvironment } from './env-expand.js';
import { checkAcrossKeys } from './cross-checks.js';
import { configSchema } from './schema.js';
import type { LoadedConfig, PictureBookConfig } from './types.js';
import { YamlLocator, type Path } from './yaml-locator.js';
import { unresolvedAliases } from './yaml-paths.js';
import { formatPath, problemsFromIssues } from './zod-problems.js';

/** `--config FILE`, else `$PICTURE_BOOK_CONFIG`, else `./config.yaml`. */
export function resolveConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const chosen = explicit ?? env.PICTURE_BOOK_CONFIG ?? 'config.yaml';
  return isAbsolute(chosen) ? chosen : resolve(cwd, chosen);
}

function valueAtPath(data: unknown, path: Path): unknown {
  let node = data;
  for (const segment of path) node = (node as Record<string | number, unknown> | undefined)?.[segment];
  return node;
}

/**
 * Reads, expands and validates a config file. Every problem is collected (YAML syntax, unknown
 * keys, types, hosts, cron, files, references, auth forms) and thrown at once as a ConfigError
 * with file, line, column and key path. Warnings (keys that do nothing here) come back as data.
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const fail = (problems: Array<Omit<ConfigProblem, 'file'>>): never => {
    throw new ConfigError(problems.map((p) => ({ file, ...p })));
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return fail([
      {
        line: 0,
        column: 0,
        path: '',
        message: code === 'ENOENT' ? 'config file not found' : `cannot read config file: ${errorMessage(error)}`,
      },
    ]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => ({
        line: e.linePos?.[0].line ?? 0,
        column: e.linePos?.[0].col ?? 0,
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  if (doc.contents === null) return fail([{ line: 1, column: 1, path: '', message: 'config is empty: expected a "registries" list' }]);
  const expansion = expandEnvironment(doc, lines, env);
  const locator = new YamlLocator(doc, lines);
  const problems: Array<Omit<ConfigProblem, 'file'>> = expansion.problems.map((p) => ({
    line: p.line,
    column: p.column,
    path: '',
    message: `environment variable "${p.variable}" is not set`,
  }));
  const aliases = unresolvedAliases(doc, lines);
  if (aliases.length > 0) return fail(sortProblems([...problems, ...aliases.map((a) => ({ ...a, path: formatPath(a.path) }))]));
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // The yaml library's messages may quote the document (an alias name can be a password).
    const why = /excessive alias count/i.test((error as Error).message)
      ? 'aliases expand too much (a resource exhaustion guard)'
      : 'the document cannot be turned into data';
    return fail([...problems, { line: 1, column: 1, path: '', message: `YAML: ${why}` }]);
  }
  const toProblem = (p: { path: Path; message: string; at: 'key' | 'value' }) => ({
    ...locator.locate(p.path, p.at),
    path: formatPath(p.path),
    message: p.message,
  });

  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail([...problems, { line: 1, column: 1, path: '', message: 'expected a mapping with a "registries" list at the top level' }]);
  }
  // The schema reads every key on its own (types, defaults, hosts, auth, paths); checkAcrossKeys what
  // only several keys together say. Both run whatever the other found: every problem at once.
  const schema = configSchema({ configDir: dirname(file), PATH: env.PATH, cwd: process.cwd() });
  const parsed = schema.safeParse(data);
  if (!parsed.success) problems.push(...problemsFromIssues(parsed.error.issues, schema, (path) => valueAtPath(data, path)).map(toProblem));
  const checked = checkAcrossKeys(data);
  problems.push(...checked.problems.map(toProblem));
  if (!parsed.success || problems.length > 0) return fail(sortProblems(problems));
  const parsedConfig = parsed.data;

  const warnings: string[] = sortProblems(checked.warnings.map(toProblem)).map(
    (w) => `${file}:${w.line}:${w.column}: ${w.path}: ${w.message}`,
  );
  if (parsedConfig.registries.some((r) => r.deleteLocalImages)) {
    warnings.push('deleteLocalImages has no effect: picture-book is daemonless and keeps no local images to delete');
  }
  const config: PictureBookConfig = {
    file,
    ...parsedConfig,
    // The file line of each registry, for messages; `sources` on each, for its pull side; `targets`, for its push side.
    registries: parsedConfig.registries.map((r, i) => ({
      ...r,
      line: locator.locate(['registries', i]).line,
      sources: parsedConfig.sources,
      ...(parsedConfig.targets.size > 0 ? { targets: parsedConfig.targets } : {}),
    })),
    fromEnvironment: envSourcedValues(expansion.expanded),
  };
  return { config, warnings };
}

function sortProblems<T extends { line: number; column: number }>(problems: T[]): T[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
