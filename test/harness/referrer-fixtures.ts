import { createHash } from 'node:crypto';
import { pushRawBlob, pushRawManifest } from './raw-push.js';
import type { TestRegistry } from './registry.js';

/*
 * Signatures, attestations and SBOMs as the tools that make them push them, built deterministically
 * (same arguments, same digests) from plain OCI content: no cosign or notation binary is needed.
 * - pushArtifact: an OCI 1.1 artifact manifest (an image manifest with `artifactType`, the empty
 *   config and `subject`), pushed by digest, as `cosign attest --registry-referrers-mode=oci-1-1`,
 *   notation or oras attach push them;
 * - pushReferrersTag: the fallback index such a client writes at `<alg>-<hex>` on a registry
 *   without the referrers API;
 * - pushCosignTag: cosign's classic tag schema, `sha256-<hex>.sig` / `.att` / `.sbom`.
 */

type Where = Pick<TestRegistry, 'url'>;

export interface Subject {
  mediaType: string;
  digest: string;
  size: number;
}

export interface PushedArtifact extends Subject {
  artifactType: string;
  bytes: Buffer;
  annotations: Record<string, string>;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') };
const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The descriptor of a manifest the registry holds, read as served (for a `subject`). */
export async function subjectOf(registry: Where, repository: string, reference: string): Promise<Subject> {
  const accept = [
    OCI_INDEX,
    OCI_MANIFEST,
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
  ];
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, { headers: { accept: accept.join(', ') } });
  if (response.status !== 200) throw new Error(`GET ${repository}:${reference}: ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { mediaType: (response.headers.get('content-type') ?? '').split(';')[0] ?? '', digest: sha256(bytes), size: bytes.length };
}

/** An OCI 1.1 artifact about `subject`, of `artifactType`, one layer from `seed`; pushed by digest (or at `tag`). */
export async function pushArtifact(
  registry: Where,
  repository: string,
  subject: Subject,
  options: { artifactType: string; seed: string; layerType?: string; tag?: string },
): Promise<PushedArtifact> {
  const layer = Buffer.from(JSON.stringify({ about: subject.digest, seed: options.seed }));
  await pushRawBlob(registry, repository, EMPTY.bytes);
  await pushRawBlob(registry, repository, layer);
  const annotations = { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', 'test.seed': options.seed };
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: options.artifactType,
      config: { mediaType: EMPTY.mediaType, digest: sha256(EMPTY.bytes), size: EMPTY.bytes.length, data: 'e30=' },
      layers: [{ mediaType: options.layerType ?? 'application/octet-stream', digest: sha256(layer), size: layer.length }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations,
    }),
  );
  const digest = await pushRawManifest(registry, repository, options.tag ?? sha256(bytes), bytes, OCI_MANIFEST);
  return { mediaType: OCI_MANIFEST, digest, size: bytes.length, artifactType: options.artifactType, bytes, annotations };
}

/** The fallback tag `sha256-<hex>` of `subject`: an OCI index of `artifacts` (plus `others`, descriptors as they are). */
export async function pushReferrersTag(
  registry: Where,
  repository: string,
  subject: string,
  artifacts: readonly PushedArtifact[],
  others: ReadonlyArray<Record<string, unknown>> = [],
): Promise<{ digest: string; bytes: Buffer; tag: string }> {
  const manifests = [
    ...others,
    ...artifacts.map((a) => ({
      mediaType: a.mediaType,
      digest: a.digest,
      size: a.size,
      artifactType: a.artifactType,
      annotations: a.annotations,
    })),
  ];
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  const tag = subject.replace(':', '-');
  const digest = await pushRawManifest(registry, repository, tag, bytes, OCI_INDEX);
  return { digest, bytes, tag };
}

/** cosign's tag schema: an image manifest at `sha256-<hex>.<suffix>` whose layer carries the payload and its signature. */
export async function pushCosignTag(
  registry: Where,
  repository: string,
  subject: string,
  suffix: 'sig' | 'att' | 'sbom',
  seed: string,
): Promise<{ digest: string; tag: string }> {
  const layerType = {
    sig: 'application/vnd.dev.cosign.simplesigning.v1+json',
    att: 'application/vnd.dsse.envelope.v1+json',
    sbom: 'text/spdx+json',
  }[suffix];
  const payload = Buffer.from(
    JSON.stringify({ critical: { image: { 'docker-manifest-digest': subject }, type: 'cosign container image signature' }, seed }),
  );
  const config = Buffer.from(
    JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [sha256(payload)] }, config: {} }),
  );
  await pushRawBlob(registry, repository, payload);
  await pushRawBlob(registry, repository, config);
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [
        {
          mediaType: layerType,
          digest: sha256(payload),
          size: payload.length,
          annotations: { 'dev.cosignproject.cosign/signature': Buffer.from(`signature of ${seed}`).toString('base64') },
        },
      ],
    }),
  );
  const tag = `${subject.replace(':', '-')}.${suffix}`;
  const digest = await pushRawManifest(registry, repository, tag, bytes, OCI_MANIFEST);
  return { digest, tag };
}
