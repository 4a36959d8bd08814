import { createHash } from 'node:crypto';
import type { TestRegistry } from '../harness/index.js';

/**
 * A full, independent check of a (plain-http, anonymous) registry: every tag of every repository is
 * read, its manifest hashed, and every blob it names (recursively through indexes) downloaded and
 * hashed against its digest and size. The same proof `skopeo copy docker://... oci:` gives, without
 * writing the bytes to disk, so the kill tests can afford it after every run.
 */

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Descriptor {
  digest: string;
  size: number;
}

interface ManifestDoc {
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function json<T>(url: string): Promise<T> {
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(`GET ${url}: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as T;
}

/** Every `repo:tag` the registry lists. */
export async function listTags(registry: TestRegistry): Promise<string[]> {
  const { repositories } = await json<{ repositories: string[] }>(`${registry.url}/v2/_catalog?n=1000`);
  const refs: string[] = [];
  for (const repository of repositories) {
    // A repository whose uploads were all cut short has no tags: distribution may call it unknown.
    const answer = await fetch(`${registry.url}/v2/${repository}/tags/list`);
    if (answer.status === 404) {
      await answer.arrayBuffer();
      continue;
    }
    if (!answer.ok) throw new Error(`GET tags of ${repository}: ${answer.status} ${await answer.text()}`);
    const { tags } = (await answer.json()) as { tags: string[] | null };
    for (const tag of tags ?? []) refs.push(`${repository}:${tag}`);
  }
  return refs.sort();
}

/**
 * Blobs already hashed (their bytes are stored once per registry whatever the repository): a blob in
 * this set is only checked to be linked into the repository with its size (a HEAD), not read again.
 */
export type HashedBlobs = Set<string>;

async function verifyBlob(registry: TestRegistry, repository: string, blob: Descriptor, where: string, hashed: HashedBlobs): Promise<void> {
  const url = `${registry.url}/v2/${repository}/blobs/${blob.digest}`;
  if (hashed.has(blob.digest)) {
    const head = await fetch(url, { method: 'HEAD' });
    if (!head.ok || head.headers.get('content-length') !== String(blob.size))
      throw new Error(
        `${where}: blob ${blob.digest} is missing: HEAD ${url} answered ${head.status}, length ${head.headers.get('content-length')}`,
      );
    return;
  }
  const answer = await fetch(url);
  if (!answer.ok || !answer.body) throw new Error(`${where}: blob ${blob.digest} is missing: GET ${url} answered ${answer.status}`);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of answer.body as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  const digest = `sha256:${hash.digest('hex')}`;
  if (digest !== blob.digest || size !== blob.size)
    throw new Error(`${where}: blob ${blob.digest} (${blob.size} bytes) is corrupt: served ${size} bytes hashing to ${digest}`);
  hashed.add(blob.digest);
}

/** Verifies one manifest (by tag or digest) and everything under it; returns its digest. */
async function verifyManifest(
  registry: TestRegistry,
  repository: string,
  reference: string,
  expected: string | undefined,
  where: string,
  hashed: HashedBlobs,
): Promise<string> {
  const url = `${registry.url}/v2/${repository}/manifests/${reference}`;
  const answer = await fetch(url, { headers: { accept: ACCEPT } });
  if (!answer.ok) throw new Error(`${where}: manifest ${reference} is missing: GET ${url} answered ${answer.status}`);
  const bytes = Buffer.from(await answer.arrayBuffer());
  const digest = sha256(bytes);
  if (expected !== undefined && digest !== expected) throw new Error(`${where}: manifest ${reference} hashes to ${digest}`);
  const doc = JSON.parse(bytes.toString('utf8')) as ManifestDoc;
  for (const child of doc.manifests ?? [])
    await verifyManifest(registry, repository, child.digest, child.digest, `${where} > ${child.digest}`, hashed);
  for (const blob of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])])
    await verifyBlob(registry, repository, blob, where, hashed);
  return digest;
}

/**
 * Verifies every tag of the registry; returns `repo:tag` -> manifest digest. Throws on the first broken
 * one. Pass the same `hashed` set to later calls to hash each blob's bytes once (manifests always are).
 */
export async function verifyAllTags(registry: TestRegistry, hashed: HashedBlobs = new Set()): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const ref of await listTags(registry)) {
    const colon = ref.lastIndexOf(':');
    const repository = ref.slice(0, colon);
    digests.set(ref, await verifyManifest(registry, repository, ref.slice(colon + 1), undefined, `${registry.host}/${ref}`, hashed));
  }
  return digests;
}
