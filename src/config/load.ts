import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors/index.js';
import { envSourcedValues, expandEnvironment } from './env-expand.js';
import { configSchema } from './schema.js';
import { checkSemantics } from './semantic-checks.js';
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
  const fail = (problems: Omit<ConfigProblem, 'file'>[]): never => {
    throw new ConfigError(problems.map((p) => ({ file, ...p })));
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return fail([{ line: 0, column: 0, path: '', message: code === 'ENOENT' ? 'config file not found' : `cannot read config file: ${(error as Error).message}` }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return fail(doc.errors.map((e) => ({ line: e.linePos?.[0].line ?? 0, column: e.linePos?.[0].col ?? 0, path: '', message: `YAML syntax: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}` })));
  }
  if (doc.contents === null) return fail([{ line: 1, column: 1, path: '', message: 'config is empty: expected a "registries" list' }]);
  const expansion = expandEnvironment(doc, lines, env);
  const locator = new YamlLocator(doc, lines);
  const problems: Omit<ConfigProblem, 'file'>[] = expansion.problems.map((p) => ({ line: p.line, column: p.column, path: '', message: `environment variable "${p.variable}" is not set` }));
  const aliases = unresolvedAliases(doc, lines);
  if (aliases.length > 0) return fail(sortProblems([...problems, ...aliases.map((a) => ({ ...a, path: formatPath(a.path) }))]));
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // The yaml library's messages may quote the document (an alias name can be a password).
    const why = /excessive alias count/i.test((error as Error).message) ? 'aliases expand too much (a resource exhaustion guard)' : 'the document cannot be turned into data';
    return fail([...problems, { line: 1, column: 1, path: '', message: `YAML: ${why}` }]);
  }
  const toProblem = (p: { path: Path; message: string; at: 'key' | 'value' }) => ({ ...locator.locate(p.path, p.at), path: formatPath(p.path), message: p.message });

  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail([...problems, { line: 1, column: 1, path: '', message: 'expected a mapping with a "registries" list at the top level' }]);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) problems.push(...problemsFromIssues(parsed.error.issues, (path) => valueAtPath(data, path)).map(toProblem));
  const checked = checkSemantics(data, file, env);
  problems.push(...checked.problems.map(toProblem));
  if (!parsed.success || problems.length > 0) return fail(sortProblems(problems));
  const raw = parsed.data;

  const warnings: string[] = sortProblems(checked.warnings.map(toProblem)).map((w) => `${file}:${w.line}:${w.column}: ${w.path}: ${w.message}`);
  if (raw.registries.some((r) => r.deleteLocalImages)) {
    warnings.push('deleteLocalImages has no effect: picture-book is daemonless and keeps no local images to delete');
  }
  const config: PictureBookConfig = {
    file,
    registries: raw.registries.map((r, i) => {
      const c = checked.registries[i];
      return {
        hostname: c?.hostname ?? r.hostname,
        repository: c?.repository ?? r.repository,
        pullAuth: c?.pullAuth,
        pushAuth: c?.pushAuth,
        syncPeriod: r.syncPeriod,
        syncerScript: c?.syncerScript,
        ...(c?.syncerScriptLookup ? { syncerScriptLookup: c.syncerScriptLookup } : {}),
        syncerScriptArgs: r.syncerScriptArgs,
        syncerScriptTimeoutSeconds: r.syncerScriptTimeoutSeconds,
        syncerScriptMaxLineBytes: r.syncerScriptMaxLineBytes,
        syncerScriptMaxLines: r.syncerScriptMaxLines,
        deleteLocalImages: r.deleteLocalImages,
        images: r.images,
        insecure: r.insecure,
        tlsVerify: r.tlsVerify,
        caFile: c?.caFile,
        pipelining: r.pipelining,
        concurrency: r.concurrency,
        line: locator.locate(['registries', i]).line,
        sources: checked.sources,
      };
    }),
    display: raw.display === 'spinner' ? 'spinner' : 'plain',
    api: raw.api,
    state: { ...raw.state, path: isAbsolute(raw.state.path) ? raw.state.path : resolve(process.cwd(), raw.state.path) },
    sync: raw.sync,
    concurrency: raw.concurrency,
    timeouts: raw.timeouts,
    sources: checked.sources,
    fromEnvironment: envSourcedValues(expansion.expanded),
  };
  return { config, warnings };
}

function sortProblems<T extends { line: number; column: number }>(problems: T[]): T[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
