import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../errors/index.js';
import { validateRepository } from '../reference/grammar.js';
import { parsePlace, parseRegistryHost, trimRepositoryPath } from '../reference/index.js';
import { parseImageEntry } from '../select/image-entry.js';
import { NO_PROXY_SETTING, proxyUrlProblem } from '../transport/proxy-choice.js';
import { parseAuthSetting } from './auth-setting.js';
import { caFileProblem } from './ca-file.js';
import { locateScript } from './script-path.js';
import { parseSourceKey } from './source-key.js';
import type { ScriptLookup } from './types.js';

/** What the schema resolves names in the file against. */
export interface SchemaContext {
  /** The directory of config.yaml: relative `caFile` and `syncerScript` paths start here. */
  configDir: string;
  /** Where a bare `syncerScript` name is looked up first. */
  PATH: string | undefined;
  /** The working directory: `state.path` is relative to it. */
  cwd: string;
}

/** For reading the schema's structure and defaults: nothing is resolved against it. */
export const NO_CONTEXT: SchemaContext = { configDir: '/', PATH: undefined, cwd: '/' };

/** Why `parse` refuses a text (its error's message), or undefined when it takes it. */
export function refusal(parse: (text: string) => unknown): (text: string) => string | undefined {
  return (text) => {
    try {
      parse(text);
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  };
}

/**
 * A parser that throws on bad input, as a transform: its message becomes the value's problem (or the
 * key's, for a record key: `at` tells the locator where to point).
 */
function parsedWith<T>(parse: (text: string) => T, at: 'key' | 'value' = 'value') {
  return (text: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: errorMessage(error), ...(at === 'key' ? { params: { at } } : {}) });
      return z.NEVER;
    }
  };
}

/** A check that says why a value is wrong (or undefined), as a refinement. */
export function checkedBy(problem: (text: string) => string | undefined) {
  return (text: string, ctx: z.RefinementCtx): void => {
    const found = problem(text);
    if (found) ctx.addIssue({ code: 'custom', message: found });
  };
}

/** A registry host as a reference has it (lowercase, `docker.io` for Docker Hub's other names). */
export const registryHost = z.string().transform(parsedWith(parseRegistryHost));
/** The same as a record key (`queue.sourceCopies`): its problems point at the key. */
export const registryHostKey = z.string().transform(parsedWith(parseRegistryHost, 'key'));

/**
 * Where a registry entry's images go: a registry host, or an OCI layout on disk (`oci:DIR`,
 * `oci-archive:FILE.tar`), its path made absolute against the directory of config.yaml.
 */
export function targetPlace(context: SchemaContext) {
  return z.string().transform(parsedWith((text) => parsePlace(text, context.configDir)));
}
/** A `sources:` key, a host or `host/namespace` (see parseSourceKey): its problems point at the key. */
export const sourceKey = z.string().transform(parsedWith(parseSourceKey, 'key'));

/** `username:password` or a DockerConfigJSON (raw or base64); '' is anonymous. Messages never quote it. */
export const authSetting = z.string().default('').transform(parsedWith(parseAuthSetting));

/** A repository prefix: slashes around it dropped, then checked like a reference's path. */
export const repositoryPrefix = z
  .string()
  .default('')
  .transform(trimRepositoryPath)
  .superRefine(checkedBy((repository) => (repository ? refusal((r) => validateRepository(r, r))(repository) : undefined)));

/**
 * An `images:` entry as written (kept as text: the run parses it again with the script's lines):
 * a reference, or an explicit all-tags form (`repo:*`, `repo:/regex/`).
 */
export const imageReference = z.string().superRefine(checkedBy(refusal(parseImageEntry)));

/** A proxy URL (`http://HOST:PORT`, userinfo allowed: a secret) or `none`; '' means unset. Messages never quote it. */
export const proxySetting = z
  .string()
  .optional()
  .transform((written) => (written === '' ? undefined : written))
  .superRefine((written, ctx) => {
    const problem = written === undefined || written === NO_PROXY_SETTING ? undefined : proxyUrlProblem(written);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** An optional text turned into a value; '' means absent too (the seed's template leaves keys empty). */
function unlessEmpty<T>(convert: (written: string, ctx: z.RefinementCtx) => T) {
  return z
    .string()
    .optional()
    .transform((written, ctx): T | undefined => (written ? convert(written, ctx) : undefined));
}

/** A PEM file of CA certificates: absolute (relative to config.yaml), checked to hold a certificate. */
export function caFilePath(context: SchemaContext) {
  return unlessEmpty((written, ctx) => {
    const path = isAbsolute(written) ? written : resolve(context.configDir, written);
    checkedBy(caFileProblem)(path, ctx);
    return path;
  });
}

/** Where `syncerScript` is and how it was found (see locateScript). */
export function scriptLookup(context: SchemaContext) {
  return unlessEmpty((written, ctx): ScriptLookup => {
    const located = locateScript(written, context.configDir, context.PATH);
    if (located.problem) ctx.addIssue({ code: 'custom', message: located.problem });
    return located.lookup;
  });
}

/** A path relative to the working directory, made absolute. */
export function workingDirPath(context: SchemaContext, fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((written) => (isAbsolute(written) ? written : resolve(context.cwd, written)));
}
