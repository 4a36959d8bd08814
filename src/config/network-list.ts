import { isIP } from 'node:net';

/**
 * `api.distributeAllowedNetworks`: the non-public networks distribute jobs may reach. Entries are
 * CIDRs (`10.20.0.0/16`, `fd12::/48`), single addresses, or one of these names.
 */
export const NETWORK_NAMES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
  'link-local': ['169.254.0.0/16', 'fe80::/10'],
};

export const DEFAULT_ALLOWED_NETWORKS: readonly string[] = ['loopback'];

export interface NetworkRange {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

function parseCidr(text: string): NetworkRange | string {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return `"${text}" is not a CIDR`;
  const version = isIP(address);
  if (version === 0) return `"${text}" is not an IP address, a CIDR or one of: ${Object.keys(NETWORK_NAMES).join(', ')}`;
  const bits = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) return `"${text}": the prefix length must be 0-${bits}`;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Why an entry cannot be used, or undefined. */
export function networkEntryProblem(entry: string): string | undefined {
  if (entry in NETWORK_NAMES) return undefined;
  const parsed = parseCidr(entry);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** The ranges a list stands for (entries with problems are left out: the config check reports them). */
export function networkRanges(entries: readonly string[]): NetworkRange[] {
  return entries
    .flatMap((entry) => (NETWORK_NAMES[entry] ?? [entry]).map(parseCidr))
    .filter((r): r is NetworkRange => typeof r !== 'string');
}
