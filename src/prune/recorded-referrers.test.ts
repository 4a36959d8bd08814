import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParsedManifest } from '../registry/index.js';
import { removableReferrers, type RecordedReferrer, type RepositoryView } from './recorded-referrers.js';

const d = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const IMAGE = d(1);
const KEPT_INDEX = d(2);
const CHILD = d(3);

function view(recorded: RecordedReferrer[], tags: Record<string, string>, going: string[]): RepositoryView & { reads: string[] } {
  const reads: string[] = [];
  return {
    tags: Object.keys(tags),
    digests: new Map(Object.entries(tags)),
    going: new Set(going),
    recorded,
    reads,
    getManifest: async (reference) => {
      reads.push(reference);
      const parsed = { kind: 'index', manifests: reference === KEPT_INDEX ? [{ digest: CHILD }] : [] } as unknown as ParsedManifest;
      return { parsed };
    },
  };
}

test('the referrers of the image and their own referrers go; none is read when all refer to what goes', async () => {
  const sig = { tag: 'v1', imageDigest: IMAGE, digest: d(4), subject: IMAGE };
  const sigOfSig = { tag: 'v1', imageDigest: IMAGE, digest: d(5), subject: d(4) };
  const other = { tag: 'v1', imageDigest: d(9), digest: d(6), subject: d(9) };
  const v = view([sig, sigOfSig, other], { v1: IMAGE, v2: KEPT_INDEX }, ['v1']);
  assert.deepEqual(await removableReferrers(v, 'v1', IMAGE), [d(4), d(5)], 'only those recorded at the digest the tag holds');
  assert.deepEqual(v.reads, []);
});

test('what a staying tag points at, records or holds as a child stays, and what refers to it', async () => {
  const ofChild = { tag: 'v1', imageDigest: IMAGE, digest: d(4), subject: CHILD };
  const ofThat = { tag: 'v1', imageDigest: IMAGE, digest: d(5), subject: d(4) };
  const alsoV2s = { tag: 'v1', imageDigest: IMAGE, digest: d(6), subject: IMAGE };
  const tagged = { tag: 'v1', imageDigest: IMAGE, digest: d(7), subject: IMAGE };
  const recordedForV2 = { ...alsoV2s, tag: 'v2', imageDigest: KEPT_INDEX };
  const v = view([ofChild, ofThat, alsoV2s, tagged, recordedForV2], { v1: IMAGE, v2: KEPT_INDEX, pinned: d(7) }, ['v1']);
  assert.deepEqual(await removableReferrers(v, 'v1', IMAGE), []);
  assert.deepEqual(v.reads.sort(), [KEPT_INDEX, d(7)].sort(), 'the staying images were read for their children');
});
