import { PictureBookError } from '../errors/index.js';
import { NAMES_ONLY } from '../image-syncer/auth-file.js';
import { loadSyncerFiles } from '../image-syncer/load-files.js';
import { importedConfig } from '../image-syncer/to-config.js';
import { defaultRegistry } from './image-syncer-action.js';

/**
 * `picture-book config import-image-syncer`: the config.yaml on stdout; on stderr, the variables
 * to set (names only) and what config.yaml cannot say as the auth file did.
 */
export async function importImageSyncer(flags: { auth?: string; images?: string; config?: string; registry?: string; retries: number }) {
  if (!Number.isSafeInteger(flags.retries) || flags.retries < 0) throw new PictureBookError('USAGE', '--retries expects a whole number');
  const plan = await loadSyncerFiles({
    auth: flags.auth,
    images: flags.images,
    config: flags.config,
    defaultRegistry: defaultRegistry(flags.registry, process.env),
    force: false,
    retries: flags.retries,
    cwd: process.cwd(),
    env: NAMES_ONLY,
  });
  const imported = importedConfig(
    plan.registries,
    plan.auth,
    `converted from ${plan.files.join(', ')} by picture-book config import-image-syncer`,
  );
  process.stdout.write(imported.yaml);
  if (imported.variables.length > 0) process.stderr.write(`set these variables before load or sync: ${imported.variables.join(', ')}\n`);
  for (const note of imported.notes) process.stderr.write(`note: ${note}\n`);
}
