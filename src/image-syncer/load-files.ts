import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMap } from 'yaml';
import type { RegistryConfig } from '../config/index.js';
import { authSources, readAuth, type AuthEntry } from './auth-file.js';
import { readImages, type ImageRule } from './images-file.js';
import { Problems, readSyncerFile } from './syncer-file.js';
import { translateImages } from './translate.js';

export interface SyncerInputs {
  /** `--auth`: absent means `./auth.json`, used when it exists. */
  auth?: string | undefined;
  /** `--images`: absent means `./images.json`. */
  images?: string | undefined;
  /** `--config`: the older single file with `auth:` and `images:`; replaces the two above. */
  config?: string | undefined;
  /** `--registry`, else `DEFAULT_REGISTRY`. */
  defaultRegistry?: string | undefined;
  force: boolean;
  retries: number;
  platforms?: readonly string[] | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface SyncerPlan {
  registries: RegistryConfig[];
  auth: AuthEntry[];
  rules: ImageRule[];
  /** Files read, for messages. */
  files: string[];
  warnings: string[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The older single file: `auth:` and `images:` mappings at the top, nothing else. */
async function readConfigFile(file: string, problems: Problems, env: NodeJS.ProcessEnv) {
  const parsed = await readSyncerFile(file, 'config file');
  let auth: AuthEntry[] = [];
  let rules: ImageRule[] = [];
  for (const { key, value, valueAt } of parsed.entries(parsed.root, problems, '')) {
    if (key.text === 'auth' && isMap(value)) auth = readAuth(parsed, value, problems, env, 'auth.');
    else if (key.text === 'images' && isMap(value)) rules = readImages(parsed, value, problems, 'images.');
    else if (key.text === 'auth' || key.text === 'images') problems.add(valueAt, key.text, 'must be a mapping');
    else problems.add(key.at, key.text, `unknown key "${key.text}" (the --config file has auth and images)`);
  }
  return { auth, rules };
}

/**
 * Reads image-syncer's inputs and turns them into picture-book registries (translateImages).
 * Every problem of every file is collected and thrown at once (a ConfigError, one line each with
 * file:line:column), before anything is listed or copied.
 */
export async function loadSyncerFiles(inputs: SyncerInputs): Promise<SyncerPlan> {
  const problems = new Problems();
  const warnings: string[] = [];
  const files: string[] = [];
  let auth: AuthEntry[] = [];
  let rules: ImageRule[] = [];
  if (inputs.config !== undefined) {
    const file = resolve(inputs.cwd, inputs.config);
    files.push(file);
    ({ auth, rules } = await readConfigFile(file, problems, inputs.env));
  } else {
    const authFile = resolve(inputs.cwd, inputs.auth ?? 'auth.json');
    if (inputs.auth !== undefined || (await exists(authFile))) {
      files.push(authFile);
      const parsed = await readSyncerFile(authFile, 'auth file');
      auth = readAuth(parsed, parsed.root, problems, inputs.env);
    } else warnings.push(`no auth file (${authFile} does not exist): every registry is accessed anonymously`);
    const imagesFile = resolve(inputs.cwd, inputs.images ?? 'images.json');
    files.push(imagesFile);
    const parsed = await readSyncerFile(imagesFile, 'images file');
    rules = readImages(parsed, parsed.root, problems);
  }
  const registries = translateImages(
    rules,
    {
      defaultRegistry: inputs.defaultRegistry,
      auth: authSources(auth),
      force: inputs.force,
      retries: inputs.retries,
      platforms: inputs.platforms,
    },
    problems,
  );
  problems.throwIfAny();
  if (rules.length === 0) warnings.push(`${files[files.length - 1] ?? 'images'}: no image rule: nothing to copy`);
  return { registries, auth, rules, files, warnings };
}
