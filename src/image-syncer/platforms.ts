import { PictureBookError } from '../errors/index.js';

/**
 * `--os` and `--arch` as the platforms of every rule: each OS with each architecture
 * (`--os linux --arch amd64,arm64` is linux/amd64 and linux/arm64). Neither: every platform.
 */
export function platformsOf(os: readonly string[], arch: readonly string[]): string[] | undefined {
  if (os.length === 0 && arch.length === 0) return undefined;
  if (os.length === 0 || arch.length === 0)
    throw new PictureBookError(
      'USAGE',
      `${os.length === 0 ? '--arch' : '--os'} alone is not supported yet: give both --os and --arch (each OS is paired with each architecture)`,
    );
  return os.flatMap((o) => arch.map((a) => `${o}/${a}`));
}
