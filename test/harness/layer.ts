import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { cachedDir } from './fixture-cache.js';
import { randomChunks } from './random-stream.js';
import { tarFileHeader, tarPadding, tarTrailer } from './tar.js';

export interface LayerSpec {
  seed: string;
  size: number;
}

export interface BuiltLayer {
  digest: string;
  diffId: string;
  size: number;
  file: string;
}

const LAYER_VERSION = 1; // bump when the byte layout changes, to invalidate cached layers

/** Builds (or reuses) a gzip'd one-file tar layer; size 0 is an empty archive, whatever the seed. */
export async function buildLayer(spec: LayerSpec): Promise<BuiltLayer> {
  const id = spec.size === 0 ? 'empty' : `${spec.seed}\0${spec.size}`;
  const key = createHash('sha256').update(`layer-v${LAYER_VERSION}\0${id}`).digest('hex');
  const dir = await cachedDir(join('layers', key), (work) => writeLayer(spec, work));
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Omit<BuiltLayer, 'file'>;
  return { ...meta, file: join(dir, 'layer.tar.gz') };
}

function* tarChunks(spec: LayerSpec): Generator<Buffer> {
  if (spec.size > 0) {
    const name = `data/${createHash('sha256').update(spec.seed).digest('hex').slice(0, 16)}.bin`;
    yield tarFileHeader(name, spec.size);
    yield* randomChunks(spec.seed, spec.size);
    yield tarPadding(spec.size);
  }
  yield tarTrailer();
}

/** Hashes (and counts) what flows through, without holding it. */
function hashing(hash: Hash, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

async function writeLayer(spec: LayerSpec, work: string): Promise<void> {
  const diffHash = createHash('sha256');
  const blobHash = createHash('sha256');
  const compressed = { bytes: 0 };
  await pipeline(
    Readable.from(tarChunks(spec), { objectMode: false }),
    hashing(diffHash, { bytes: 0 }),
    createGzip({ level: 1 }), // random data does not compress; level 1 just keeps it fast
    hashing(blobHash, compressed),
    createWriteStream(join(work, 'layer.tar.gz')),
  );
  const meta = { digest: `sha256:${blobHash.digest('hex')}`, diffId: `sha256:${diffHash.digest('hex')}`, size: compressed.bytes };
  await writeFile(join(work, 'meta.json'), JSON.stringify(meta));
}
