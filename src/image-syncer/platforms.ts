import { ANY } from '../registry/index.js';

/**
 * `--os` and `--arch` as the platforms of every rule: each OS with each architecture
 * (`--os linux --arch amd64,arm64` is linux/amd64 and linux/arm64); one flag alone leaves the
 * other dimension open (`--arch arm64` is `*`/arm64). Neither: every platform. The rules skip an
 * image with none of them, as image-syncer does (translate.ts).
 */
export function platformsOf(os: readonly string[], arch: readonly string[]): string[] | undefined {
  if (os.length === 0 && arch.length === 0) return undefined;
  const systems = os.length > 0 ? os : [ANY];
  const architectures = arch.length > 0 ? arch : [ANY];
  return systems.flatMap((o) => architectures.map((a) => `${o}/${a}`));
}
