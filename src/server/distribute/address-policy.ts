import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DEFAULT_ALLOWED_NETWORKS, NETWORK_NAMES, networkRanges } from '../../config/network-list.js';
import type { AddressGuard } from '../../transport/index.js';

/**
 * Where distribute jobs may connect. The public internet, and the networks the operator allows
 * (`api.distributeAllowedNetworks`, loopback by default); never a cloud metadata service, an
 * unspecified, multicast or reserved address, whatever the allow-list says.
 */

/** Cloud instance metadata services (AWS, GCP, Azure, ECS tasks, Alibaba). */
const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200'];
/** Names of metadata services, refused before any lookup. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

function blockList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const { address, prefix, family } of networkRanges(ranges)) list.addSubnet(address, prefix, family);
  return list;
}

const NEVER: Array<[BlockList, string]> = [
  [blockList(METADATA_ADDRESSES), 'is a cloud metadata service address'],
  [blockList(['0.0.0.0/8', '::/128']), 'is an unspecified address'],
  [blockList(['224.0.0.0/4', 'ff00::/8']), 'is a multicast address'],
  [blockList(['240.0.0.0/4']), 'is a reserved address'],
];
const NON_PUBLIC: Array<[BlockList, string]> = Object.entries(NETWORK_NAMES).map(([name, ranges]) => [
  blockList(ranges),
  `is a ${name} address`,
]);

/** The eight 16-bit groups of an IPv6 address. */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const part = (text: string) =>
    text === '' ? [] : text.split(':').flatMap((g) => (g.includes('.') ? ipv4Groups(g) : [Number.parseInt(g, 16)]));
  const front = part(head);
  const back = tail === undefined ? [] : part(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function ipv4Groups(dotted: string): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

/**
 * The IPv4 address an IPv6 one carries, where packets to it reach that IPv4 host: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
 */
export function embeddedIPv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && (g[5] === 0xffff || (g[5] === 0 && !zeros(6, 8) && !(g[6] === 0 && g[7] === 1)))) return v4(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x2002) return v4(g[1] ?? 0, g[2] ?? 0);
  return undefined;
}

/** Every address a name resolves to (tests answer without DNS: network only to loopback). */
export type ResolveHost = (host: string) => Promise<string[]>;

const resolveWithDns: ResolveHost = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

export class AddressPolicy implements AddressGuard {
  readonly allowed: readonly string[];
  readonly resolve: ResolveHost;
  #allowed: BlockList;

  constructor(allowed: readonly string[] = DEFAULT_ALLOWED_NETWORKS, resolve: ResolveHost = resolveWithDns) {
    this.allowed = allowed;
    this.resolve = resolve;
    this.#allowed = blockList(allowed);
  }

  /** Why a connection to this IP may not be made, or undefined. */
  refuse(address: string): string | undefined {
    const inner = isIP(address) === 6 ? embeddedIPv4(address) : undefined;
    const ip = inner ?? address;
    const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
    for (const [list, why] of NEVER) if (list.check(ip, family)) return why;
    if (this.#allowed.check(ip, family)) return undefined;
    for (const [list, why] of NON_PUBLIC) {
      if (list.check(ip, family)) return `${why}, not in api.distributeAllowedNetworks (${this.allowed.join(', ') || 'empty'})`;
    }
    return undefined;
  }

  /**
   * Why a host as written (no port, IPv6 without brackets) may not be used, before any lookup:
   * metadata names and refused IP literals. Names are checked again on each address they resolve to.
   */
  hostProblem(host: string): string | undefined {
    const bare = host
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '')
      .toLowerCase();
    if (METADATA_NAMES.has(bare)) return `${bare} is a cloud metadata service`;
    if (isIP(bare) === 0) return undefined;
    const why = this.refuse(bare);
    return why ? `${bare} ${why}` : undefined;
  }
}

/**
 * Why a host is written in a form some parsers read as an IPv4 address and others do not
 * (`0x7f000001`, `2130706433`, `0177.0.0.1`, `127.1`): URL parsers turn these into 127.0.0.1, so a
 * check on the text would be fooled. Only the four-part decimal form is accepted.
 */
export function oddAddressProblem(host: string): string | undefined {
  const labels = host.replace(/\.$/, '').split('.');
  const last = labels.at(-1) ?? '';
  // WHATWG URL: a host whose last label is a number is an IPv4 address in some form.
  if (!/^(0x[0-9a-f]*|\d+)$/i.test(last)) return undefined;
  const canonical = labels.length === 4 && labels.every((l) => /^(0|[1-9]\d{0,2})$/.test(l) && Number(l) <= 255) && !host.endsWith('.');
  return canonical
    ? undefined
    : `"${host}" is an IP address in an unusual form (hex, octal, a single number or fewer than four parts): write it as four decimal numbers, a.b.c.d`;
}

const policies = new Map<string, AddressPolicy>();

/** One policy per allow-list, so that connection pools keyed by it are shared between jobs. */
export function addressPolicy(allowed: readonly string[] | undefined): AddressPolicy {
  const list = allowed ?? DEFAULT_ALLOWED_NETWORKS;
  const key = JSON.stringify(list);
  let policy = policies.get(key);
  if (!policy) {
    policy = new AddressPolicy(list);
    policies.set(key, policy);
  }
  return policy;
}
