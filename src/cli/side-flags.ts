import { InvalidArgumentError } from 'commander';

// The flag definitions only: program.ts registers them for every start (`--version`, `--help`), so
// this file imports nothing but commander. Resolving the flags into endpoints (auth, config, TLS)
// is endpoint-flags.ts, loaded with the copy command's action.

/** The per-side flags of `copy` (`--src-…` / `--dest-…`), as commander hands them over. */
export interface SideFlags {
  creds?: string;
  authfile?: string;
  tlsVerify?: boolean;
  caFile?: string;
  insecure?: boolean;
}

/** Parses `true`/`false` for flags like `--src-tls-verify=false` (skopeo's spelling). */
export function parseBooleanFlag(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
}

interface SideFlag {
  flags: string;
  description: string;
  parse?: ((value: string | undefined) => boolean) | undefined;
}

/** Each host flag of `copy`, written once for both sides: `registry` is "source" or "target". */
const HOST_FLAGS: ReadonlyArray<{ flag: string; help: (registry: string, side: string) => string; parse?: SideFlag['parse'] }> = [
  { flag: 'creds <user:pass>', help: (registry) => `credentials for the ${registry} registry` },
  { flag: 'authfile <file>', help: (registry) => `DockerConfigJSON file with ${registry} credentials` },
  {
    flag: 'tls-verify [bool]',
    help: (registry, side) => `verify the ${registry} TLS certificate (--${side}-tls-verify=false to skip)`,
    parse: parseBooleanFlag,
  },
  { flag: 'ca-file <pem>', help: (registry) => `extra CA certificate(s) to trust for the ${registry}` },
  { flag: 'insecure', help: (registry) => `use plain http for the ${registry}, with no https attempt first` },
];

/** `--src-creds`, `--dest-creds`, `--src-authfile`, ...: each host flag for the source, then the target. */
export const SIDE_FLAGS: readonly SideFlag[] = HOST_FLAGS.flatMap(({ flag, help, parse }) =>
  (['src', 'dest'] as const).map((side) => ({
    flags: `--${side}-${flag}`,
    description: help(side === 'src' ? 'source' : 'target', side),
    parse,
  })),
);
