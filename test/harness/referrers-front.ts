import { createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endToEnd } from './fault-bodies.js';
import type { TestRegistry } from './registry.js';

/*
 * The OCI 1.1 referrers API in front of a real registry that lacks it (distribution 2.8): the one
 * hand-written piece allowed for referrers, since no real registry here offers the API. Everything
 * else goes to the registry untouched. It serves what the spec asks of a registry with the API
 * ("Listing Referrers", "Pushing Manifests with Subject"), from the manifests really pushed
 * through it:
 * - a manifest PUT with a `subject` that the registry stored (201) is answered with `OCI-Subject:
 *   <subject digest>` and remembered as a referrer of that subject in that repository;
 * - `GET /v2/<name>/referrers/<digest>` answers 200 with an OCI image index of the referrers'
 *   descriptors (mediaType, digest, size, artifactType: the manifest's own, else its config's
 *   mediaType; annotations), an empty one for a digest with none, 400 for a digest that is not one;
 * - `?artifactType=` filters, and the answer then says `OCI-Filters-Applied: artifactType`;
 * - answers are paged `pageSize` descriptors at a time with `Link: <...>; rel="next"`.
 * With `tagDeletes` (the registry's storage root), `DELETE /v2/<name>/manifests/<tag>` deletes the
 * tag alone, as distribution 3 does (OCI 1.1 "Deleting Tags"): it removes the tag's directory from
 * the registry's storage, exactly what distribution 3's Untag does (202; 404 MANIFEST_UNKNOWN for
 * a tag it lacks). distribution 2.8 answers that DELETE 400, and no other registry is at hand.
 */

export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType: string;
  annotations?: Record<string, string>;
}

export interface ReferrersFront {
  readonly host: string;
  readonly url: string;
  readonly tls: false;
  readonly password: undefined;
  /** skopeo's flags for it (plain http, no credentials), so pushImage and skopeoInspectRaw go through it. */
  skopeoFlags(side: 'src' | 'dest' | 'plain'): string[];
  /** Descriptors a listing page holds at most (default 100). */
  pageSize: number;
  /** The referrers remembered for `name` and `subject`, in push order. */
  referrers(name: string, subject: string): ReferrerDescriptor[];
  close(): Promise<void>;
}

const INDEX = 'application/vnd.oci.image.index.v1+json';
const LISTING = /^\/v2\/(.+)\/referrers\/([^/?]+)(?:\?(.*))?$/;
const MANIFEST_PUT = /^\/v2\/(.+)\/manifests\/[^/?]+$/;
/** A manifest DELETE by tag (a tag holds no `:`, a digest always does). */
const TAG_DELETE = /^\/v2\/(.+)\/manifests\/([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export async function startReferrersFront(
  upstream: Pick<TestRegistry, 'url' | 'tls'>,
  options: { tagDeletes?: string } = {},
): Promise<ReferrersFront> {
  if (upstream.tls) throw new Error('the referrers front only fronts plain-http registries');
  const upstreamPort = Number(new URL(upstream.url).port);
  const agent = new Agent({ keepAlive: true });
  const known = new Map<string, ReferrerDescriptor[]>();
  const key = (name: string, subject: string) => `${name}@${subject}`;
  let pageSize = 100;

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body?: Buffer,
    onAnswer?: (answer: IncomingMessage) => Record<string, string>,
  ): void => {
    const upstreamRequest = request({
      host: '127.0.0.1',
      port: upstreamPort,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.headers),
      agent,
    });
    upstreamRequest.once('error', () => res.socket?.destroy());
    upstreamRequest.once('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, { ...endToEnd(answer.headers), ...onAnswer?.(answer) });
      answer.pipe(res);
    });
    if (body) upstreamRequest.end(body);
    else req.pipe(upstreamRequest);
  };

  const list = (res: ServerResponse, name: string, subject: string, query: string | undefined): void => {
    if (!DIGEST.test(subject)) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }] }));
      return;
    }
    const params = new URLSearchParams(query ?? '');
    const artifactType = params.get('artifactType');
    const page = Number(params.get('page') ?? '0');
    const all = (known.get(key(name, subject)) ?? []).filter((d) => !artifactType || d.artifactType === artifactType);
    const manifests = all.slice(page * pageSize, (page + 1) * pageSize);
    const headers: Record<string, string> = { 'content-type': INDEX };
    if (artifactType) headers['oci-filters-applied'] = 'artifactType';
    if ((page + 1) * pageSize < all.length) {
      const next = new URLSearchParams(artifactType ? { artifactType, page: String(page + 1) } : { page: String(page + 1) });
      headers.link = `</v2/${name}/referrers/${subject}?${next.toString()}>; rel="next"`;
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
  };

  const putManifest = (req: IncomingMessage, res: ServerResponse, name: string): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      const body = Buffer.concat(chunks);
      forward(req, res, body, (answer): Record<string, string> => {
        if (answer.statusCode !== 201) return {};
        const doc = JSON.parse(body.toString('utf8')) as {
          subject?: { digest?: string };
          artifactType?: string;
          config?: { mediaType?: string };
          annotations?: Record<string, string>;
          mediaType?: string;
        };
        const subject = doc.subject?.digest;
        if (!subject) return {};
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        const list = known.get(key(name, subject)) ?? [];
        if (!list.some((d) => d.digest === digest)) {
          list.push({
            mediaType: doc.mediaType ?? String(req.headers['content-type']),
            digest,
            size: body.length,
            artifactType: doc.artifactType ?? doc.config?.mediaType ?? '',
            ...(doc.annotations ? { annotations: doc.annotations } : {}),
          });
        }
        known.set(key(name, subject), list);
        return { 'oci-subject': subject };
      });
    });
  };

  const deleteTag = async (res: ServerResponse, name: string, tag: string, rootDir: string): Promise<void> => {
    const dir = join(rootDir, 'docker/registry/v2/repositories', name, '_manifests/tags', tag);
    const found = await stat(dir).then(
      () => true,
      () => false,
    );
    if (found) await rm(dir, { recursive: true, force: true });
    res.writeHead(found ? 202 : 404, { 'content-type': 'application/json' });
    res.end(found ? '' : JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
  };

  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const untag = req.method === 'DELETE' && options.tagDeletes !== undefined ? TAG_DELETE.exec(path) : null;
    if (untag && options.tagDeletes !== undefined) {
      deleteTag(res, untag[1] ?? '', untag[2] ?? '', options.tagDeletes).catch(() => res.socket?.destroy());
      return;
    }
    const listing = req.method === 'GET' ? LISTING.exec(path) : null;
    if (listing) return list(res, listing[1] ?? '', listing[2] ?? '', listing[3]);
    const put = req.method === 'PUT' ? MANIFEST_PUT.exec(path) : null;
    if (put) return putManifest(req, res, put[1] ?? '');
    forward(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: `http://${host}`,
    tls: false,
    password: undefined,
    skopeoFlags: (side) => [`${side === 'plain' ? '--' : `--${side}-`}tls-verify=false`],
    get pageSize() {
      return pageSize;
    },
    set pageSize(value: number) {
      pageSize = value;
    },
    referrers: (name, subject) => [...(known.get(key(name, subject)) ?? [])],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
