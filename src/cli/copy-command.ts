import type { Command } from 'commander';
import { SIDE_FLAGS } from './side-flags.js';
import type { CopyFlags } from './copy-action.js';
import { parseRate, parseSeconds } from './timeout-flags.js';

export function registerCopyCommand(program: Command): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  const command = program
    .command('copy')
    .description(
      'copy one image (manifest, index and every blob) between registries and OCI layouts (oci:DIR, oci-archive:FILE.tar); with --all-tags, every tag of a repository',
    )
    .argument(
      '<source>',
      'source image, e.g. 127.0.0.1:5001/library/app:v1, quay.io/coreos/etcd@sha256:…, oci:/mnt/mirror:library/app:v1; with --all-tags a repository',
    )
    .argument(
      '<target>',
      'target image, e.g. 127.0.0.1:5002/mirror/app:v1, oci:/mnt/mirror:mirror/app:v1, oci-archive:/mnt/app.tar:v1; with --all-tags a repository',
    );
  for (const { flags, description, parse } of SIDE_FLAGS) {
    if (parse) command.option(flags, description, parse);
    else command.option(flags, description);
  }
  command
    .option('--connect-timeout <seconds>', 'seconds to connect (TCP and TLS) to a registry (default 10)', parseSeconds)
    .option('--response-timeout <seconds>', 'seconds to wait for an answer once a request is sent (default 120)', parseSeconds)
    .option('--read-timeout <seconds>', 'seconds for the whole body of a manifest, token reply or listing (default 60)', parseSeconds)
    .option('--blob-min-rate <bytes/seconds>', 'a blob moving fewer bytes than this per interval is stalled (default 65536/30)', parseRate)
    .option('--platform <os/arch[/variant]>', 'copy only this platform of a multi-platform image (repeatable)', collect, [])
    .option('--force', 'copy even if the target already has the same digest')
    .option('--no-referrers', "do not copy the image's signatures, attestations and SBOMs (OCI referrers and cosign tags)")
    .option('--no-cosign-tags', "copy OCI referrers but not cosign's sha256-<hex>.sig/.att/.sbom tags")
    .option('--referrer-type <artifactType>', 'copy only referrers of this artifact type (* matches any run; repeatable)', collect, [])
    .option(
      '--skip-referrer-type <artifactType>',
      'do not copy referrers of this artifact type (* matches any run; repeatable)',
      collect,
      [],
    )
    .option('--all-tags', 'copy every tag of the source repository into the target repository, each under its own name')
    .option('--include <regex>', 'with --all-tags: only the tags one of these regexes matches whole (repeatable)', collect, [])
    .option('--exclude <regex>', 'with --all-tags: not the tags one of these regexes matches whole (repeatable)', collect, [])
    .option('--semver <range>', 'with --all-tags: only tags that are semantic versions in this range, e.g. ">=3.5 <4"')
    .option('--latest <n>', 'with --all-tags: only the N highest semantic versions left by the other filters')
    .option('--dry-run', 'print what would be copied (HEAD requests only); write nothing')
    .option(
      '--since <previous>',
      'the target layout is a delta bundle: leave out what the previous bundle (oci: dir, oci-archive: file or its .inventory.json) holds',
    )
    .option('-v, --verbose', 'print every blob and manifest as it is handled')
    .action(async (sourceArg: string, targetArg: string, flags: CopyFlags) => {
      // Each import here is the command's own: `--version`, `--help` and the other commands never load them.
      const { refuseFiltersWithoutAllTags } = await import('./tag-filter-flags.js');
      refuseFiltersWithoutAllTags(flags);
      if (flags.allTags === true) {
        const { runCopyAllTags } = await import('./copy-all-tags.js');
        await runCopyAllTags(sourceArg, targetArg, flags);
        return;
      }
      const { runCopy } = await import('./copy-action.js');
      await runCopy(sourceArg, targetArg, flags);
    });
}
