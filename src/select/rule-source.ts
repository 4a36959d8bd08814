import { InvalidReferenceError } from '../errors/index.js';
import { maskUserinfo } from '../errors/mask-userinfo.js';
import { parseReference, parseRegistryHost, type Reference } from '../reference/index.js';
import { validateRepository, validateTag } from '../reference/grammar.js';
import { SCHEME } from '../errors/mask-userinfo.js';
import { DOCKER_HUB, registryHostProblem, splitHostPort } from '../reference/registry-host.js';
import { RuleError } from './rule-error.js';

/** What a rule's `source:` names: a whole registry, a namespace in it, one repository, or one image. */
export type RuleSource =
  | { kind: 'registry'; registry: string }
  /** Every repository whose path starts with `namespace/`. */
  | { kind: 'namespace'; registry: string; namespace: string }
  /** Every tag of one repository. */
  | { kind: 'repository'; registry: string; repository: string }
  /** One image, by tag and/or digest, exactly as in `images:`. */
  | { kind: 'reference'; reference: Reference }
  /** Some tags of one repository, named (`repo:v1,v2`, image-syncer's list): no listing, each an image. */
  | { kind: 'tags'; registry: string; repository: string; tags: string[] };

/** Docker's rule for the first path component: a registry if it has a '.' or ':' or is `localhost`. */
function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component.startsWith('[');
}

/**
 * `registry.internal:5000`, `registry.example.com`, `localhost`, `[::1]:5000`: a valid host that has
 * a dot, a port, brackets or is localhost. Inside a rule such a bare name is a registry, not Docker
 * Hub's `library/registry` at tag `5000` as it would be in `images:`; a Hub image with a numeric tag
 * is written with its registry (`docker.io/alpine:3`).
 */
export function isBareRegistry(text: string): boolean {
  if (text.includes('/') || text.includes('@') || registryHostProblem(text) !== undefined) return false;
  const { host, port } = splitHostPort(text);
  return port !== undefined || looksLikeHost(host);
}

/** parseReference's reason, quoting the whole source as written (passwords masked). */
function fail(text: string, error: unknown): never {
  if (!(error instanceof InvalidReferenceError)) throw error;
  const detail = error.message.slice(`invalid reference "${error.input}": `.length);
  throw new RuleError(['source'], `invalid source "${maskUserinfo(text)}": ${detail}`, { cause: error });
}

/** `host/ns/` or `ns/` (Docker Hub); a trailing slash after a bare host is the whole registry. */
function parsePrefix(text: string): RuleSource {
  const body = text.slice(0, -1);
  if (body === '') throw new RuleError(['source'], 'invalid source "/": name a registry, a namespace ("host/team/") or a repository');
  if (isBareRegistry(body)) return { kind: 'registry', registry: parseRegistryHost(body) };
  // Credentials, schemes and whitespace get parseReference's messages (passwords masked).
  parseReference(body);
  const slash = body.indexOf('/');
  const hasHost = slash >= 0 && looksLikeHost(body.slice(0, slash));
  const registry = hasHost ? parseRegistryHost(body.slice(0, slash)) : DOCKER_HUB;
  const namespace = hasHost ? body.slice(slash + 1) : body;
  if (/[:@]/.test(namespace)) throw new RuleError(['source'], `invalid source "${text}": a namespace prefix has no tag or digest`);
  validateRepository(text, namespace);
  return { kind: 'namespace', registry, namespace };
}

/**
 * `repo:t1,t2` (image-syncer's tag list): the repository and its tags, or undefined when `text` has
 * no comma in its tag part. Tags are checked one by one (an empty one between two commas too).
 */
export function splitTagList(text: string): { repository: string; tags: string[] } | undefined {
  if (SCHEME.test(text) || text.includes('@')) return undefined;
  const colon = text.indexOf(':', text.lastIndexOf('/') + 1);
  if (colon < 0 || !text.slice(colon + 1).includes(',')) return undefined;
  const repository = text.slice(0, colon);
  const tags = text.slice(colon + 1).split(',');
  for (const tag of tags) validateTag(text, tag);
  const duplicate = tags.find((tag, i) => tags.indexOf(tag) !== i);
  if (duplicate !== undefined) throw new RuleError(['source'], `invalid source "${text}": tag "${duplicate}" is listed twice`);
  return { repository, tags };
}

/** A tag list as a source: the repository parsed like any reference (so no tag and no digest in it). */
function parseTagList(list: { repository: string; tags: string[] }): RuleSource {
  const reference = parseReference(list.repository);
  return { kind: 'tags', registry: reference.registry, repository: reference.repository, tags: list.tags };
}

/**
 * Parses a rule's `source:`. A trailing '/' makes a namespace prefix (`registry.internal:5000/team/`,
 * or `bitnami/` on Docker Hub); a bare host with a dot or a port is a whole registry; a repository
 * without tag or digest means every tag; with a tag or digest it is one image, as in `images:`; with
 * a comma-separated tag list (`repo:v1,v2`, as image-syncer writes it) it is those images.
 */
export function parseRuleSource(text: string): RuleSource {
  try {
    if (text === '') throw new RuleError(['source'], 'source is empty: name a registry, a namespace ("host/team/") or a repository');
    if (isBareRegistry(text)) return { kind: 'registry', registry: parseRegistryHost(text) };
    if (text.endsWith('/') && !/\s/.test(text)) return parsePrefix(text);
    const list = splitTagList(text);
    if (list) return parseTagList(list);
    const reference = parseReference(text);
    if (reference.tag !== undefined || reference.digest !== undefined) return { kind: 'reference', reference };
    return { kind: 'repository', registry: reference.registry, repository: reference.repository };
  } catch (error) {
    return fail(text, error);
  }
}

/** The source as written canonically: `host`, `host/team/`, `host/repo`, `host/repo:tag`. */
export function describeSource(source: RuleSource): string {
  switch (source.kind) {
    case 'registry':
      return source.registry;
    case 'namespace':
      return `${source.registry}/${source.namespace}/`;
    case 'repository':
      return `${source.registry}/${source.repository}`;
    case 'reference':
      return source.reference.toString();
    case 'tags':
      return `${source.registry}/${source.repository}:${source.tags.join(',')}`;
  }
}
