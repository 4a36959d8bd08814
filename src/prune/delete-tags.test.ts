import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../errors/index.js';
import type { ParsedManifest } from '../registry/index.js';
import { deleteTags, referrerTags, type DeleteCapabilities, type TargetRepository } from './delete-tags.js';

/*
 * The deletion rules with an in-memory repository that behaves as the registry says it does: one
 * that deletes a tag alone (OCI 1.1) and one that deletes by digest only, every tag at it going
 * (distribution 2.8, checked end to end in test/e2e/load-prune.test.ts).
 */

const D = (c: string): string => `sha256:${c.repeat(64)}`;
/** Tags as `<tag><digest char>`: 'a1' is tag a at D('1'). */
const tagged = (...tags: string[]) => tags.map(([tag = '', c = '']) => ({ tag, digest: D(c) }));
/** A repository holding `tags` (as for `tagged`); `byTag`: whether it deletes a tag alone. */
const repositoryOf = (byTag: boolean, ...tags: string[]) =>
  new MemoryRepository(new Map(tagged(...tags).map(({ tag, digest }) => [tag, digest])), byTag);
/** What happened to each tag, in the order of the results. */
const actionsOf = (results: ReadonlyArray<{ tag: string; action: string }>) => results.map((r) => [r.tag, r.action]);

class MemoryRepository implements TargetRepository {
  readonly deletes: string[] = [];
  constructor(
    readonly tags: Map<string, string>,
    readonly byTag: boolean,
  ) {}

  async listTags(): Promise<string[]> {
    return [...this.tags.keys()];
  }

  async headManifest(reference: string) {
    const digest = this.tags.get(reference);
    return digest === undefined ? undefined : { digest };
  }

  async getManifest(_reference: string): Promise<{ parsed: ParsedManifest }> {
    return { parsed: { kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] } };
  }

  async deleteManifest(reference: string): Promise<boolean> {
    this.deletes.push(reference);
    if (!/^sha(256|512):/.test(reference)) {
      if (!this.byTag)
        throw new HttpError({
          status: 400,
          method: 'DELETE',
          url: `http://x/${reference}`,
          errors: [{ code: 'DIGEST_INVALID', message: 'x' }],
        });
      return this.tags.delete(reference);
    }
    let found = false;
    for (const [tag, digest] of this.tags) if (digest === reference) found = this.tags.delete(tag) || found;
    return found;
  }
}

test('by digest only: a tag whose digest another staying tag shares is kept; tags going together go in one delete', async () => {
  const repo = repositoryOf(false, 'a1', 'b1', 'c2', 'd2');
  const caps: DeleteCapabilities = {};
  const results = await deleteTags(repo, tagged('a1', 'c2', 'd2'), caps, false);
  assert.deepEqual(actionsOf(results), [
    ['a', 'kept'],
    ['c', 'deleted'],
    ['d', 'deleted'],
  ]);
  assert.equal(caps.byTag, false, 'learnt from the 400');
  assert.deepEqual([...repo.tags.keys()], ['a', 'b']);
  assert.match((results[0] as { note: string }).note, /deletes by digest only, .* and b must stay/);
});

test('a registry that deletes a tag alone gets the tag deleted, whatever shares its digest', async () => {
  const repo = repositoryOf(true, 'a1', 'b1');
  const results = await deleteTags(repo, [{ tag: 'a', digest: D('1') }], {}, false);
  assert.deepEqual(
    results.map((r) => r.action),
    ['deleted'],
  );
  assert.deepEqual(repo.deletes, ['a']);
  assert.deepEqual([...repo.tags.keys()], ['b']);
});

test('a tag holding another digest than the one written, or gone, is released and never deleted; a simulation deletes nothing', async () => {
  const repo = repositoryOf(false, 'a9', 'c3');
  const results = await deleteTags(repo, tagged('a1', 'b2', 'c3'), {}, true);
  assert.deepEqual(actionsOf(results), [
    ['a', 'released'],
    ['b', 'released'],
    ['c', 'would-delete'],
  ]);
  assert.deepEqual(repo.deletes, []);
});

test('referrer tags of a digest: its fallback index tag and the cosign-style suffixes, nothing else', () => {
  const hex = '1'.repeat(64);
  assert.deepEqual(referrerTags([`sha256-${hex}.sig`, `sha256-${hex}`, `sha256-${hex}x`, 'v1', `sha256-${'2'.repeat(64)}`], D('1')), [
    `sha256-${hex}`,
    `sha256-${hex}.sig`,
  ]);
});

/** A repository also holding untagged manifests (referrers found through the API); DELETEs of `failing` answer 500. */
class ReferrerRepository extends MemoryRepository {
  constructor(
    tags: Map<string, string>,
    readonly untagged: Set<string>,
    readonly failing: Set<string>,
  ) {
    super(tags, true);
  }

  override async deleteManifest(reference: string): Promise<boolean> {
    if (this.failing.has(reference)) {
      this.deletes.push(reference);
      throw new HttpError({ status: 500, method: 'DELETE', url: `http://x/${reference}`, errors: [] });
    }
    if (this.untagged.delete(reference)) return (this.deletes.push(reference), true);
    return super.deleteManifest(reference);
  }
}

test('a recorded referrer whose DELETE fails is reported with the deleted tag, the others still go; the tag gone, the next call deletes it', async () => {
  const [sigA, sigB] = [D('5'), D('6')];
  const recorded = [sigA, sigB].map((digest) => ({ tag: 'a', imageDigest: D('1'), digest, subject: D('1') }));
  const repo = new ReferrerRepository(
    new Map([
      ['a', D('1')],
      ['b', D('2')],
    ]),
    new Set([sigA, sigB]),
    new Set([sigA]),
  );
  const [first] = await deleteTags(repo, [{ tag: 'a', digest: D('1') }], {}, false, recorded);
  assert.ok(first?.action === 'deleted', 'the tag itself went');
  assert.deepEqual(first.referrerDigests, [sigB]);
  assert.deepEqual(
    first.referrerFailures.map((f) => [f.digest, f.subject, (f.error as HttpError).status]),
    [[sigA, D('1'), 500]],
  );
  assert.deepEqual([...repo.untagged], [sigA]);

  repo.failing.clear();
  const [second] = await deleteTags(repo, [{ tag: 'a', digest: D('1') }], {}, false, recorded.slice(0, 1));
  assert.deepEqual(second, {
    tag: 'a',
    action: 'released',
    note: 'already gone from the target',
    referrerDigests: [sigA],
    referrerFailures: [],
  });
  assert.deepEqual([...repo.untagged], [], 'the referrer left behind is gone now');
});

test('a referrer its fallback index lists and a record names, whose DELETE fails, is asked and reported once', async () => {
  const [sig, index] = [D('5'), D('7')];
  const listing = class extends ReferrerRepository {
    override async getManifest(): Promise<{ parsed: ParsedManifest }> {
      return {
        parsed: { kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ digest: sig }] } as ParsedManifest,
      };
    }
  };
  const tags = new Map([
    ['a', D('1')],
    ['b', D('2')],
    [`sha256-${'1'.repeat(64)}`, index],
  ]);
  const repo = new listing(tags, new Set([sig]), new Set([sig]));
  const recorded = [{ tag: 'a', imageDigest: D('1'), digest: sig, subject: D('1') }];
  const [result] = await deleteTags(repo, [{ tag: 'a', digest: D('1') }], {}, false, recorded);
  assert.ok(result?.action === 'deleted', 'the tag itself went');
  assert.deepEqual(result.referrerDigests, [index]);
  assert.deepEqual(
    result.referrerFailures.map((f) => f.digest),
    [sig],
  );
  assert.equal(repo.deletes.filter((d) => d === sig).length, 1, 'its DELETE was sent once');
});

test('a tag deleted alone while another stays at its digest: the owed referrer goes, those of the digest stay and are handed to the staying tag', async () => {
  const [sig, owedSig] = [D('5'), D('6')];
  const recorded = [
    { tag: 'a', imageDigest: D('1'), digest: sig, subject: D('1') },
    { tag: 'a', imageDigest: D('0'), digest: owedSig, subject: D('0'), owed: true },
  ];
  const tags = new Map([
    ['a', D('1')],
    ['b', D('1')],
  ]);
  const repo = new ReferrerRepository(tags, new Set([sig, owedSig]), new Set());
  const [result] = await deleteTags(repo, [{ tag: 'a', digest: D('1') }], {}, false, recorded);
  assert.ok(result?.action === 'deleted', 'the tag went');
  assert.deepEqual(result.referrerDigests, [owedSig], 'the owed referrer of the image a held before went');
  assert.deepEqual(result.referrerFailures, []);
  assert.deepEqual([...repo.untagged], [sig], 'the referrer of the digest b still holds stayed');
  assert.deepEqual(result.handedOver, [{ tag: 'b', imageDigest: D('1'), digest: sig, subject: D('1') }]);
  assert.deepEqual([...repo.tags.keys()], ['b']);
});

test('two tags at one digest deleted alone in one call: the last takes the referrers, each once', async () => {
  const [sig, index] = [D('5'), D('7')];
  const listing = class extends ReferrerRepository {
    override async getManifest(reference: string): Promise<{ parsed: ParsedManifest }> {
      if (!this.untagged.has(reference) && ![...this.tags.values()].includes(reference))
        throw new HttpError({ status: 404, method: 'GET', url: `http://x/${reference}`, errors: [] });
      return {
        parsed: { kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ digest: sig }] } as ParsedManifest,
      };
    }
  };
  const tags = new Map([
    ['a', D('1')],
    ['b', D('1')],
    [`sha256-${'1'.repeat(64)}`, index],
  ]);
  const repo = new listing(tags, new Set([sig]), new Set());
  const recorded = [{ tag: 'b', imageDigest: D('1'), digest: sig, subject: D('1') }];
  const results = await deleteTags(repo, tagged('a1', 'b1'), {}, false, recorded);
  assert.deepEqual(actionsOf(results), [
    ['a', 'deleted'],
    ['b', 'deleted'],
  ]);
  const all = results.flatMap((r) => ('referrerDigests' in r ? r.referrerDigests : []));
  const failures = results.flatMap((r) => ('referrerFailures' in r ? r.referrerFailures : []));
  assert.deepEqual(all.sort(), [sig, index].sort(), 'the fallback index and what it lists went');
  assert.deepEqual(failures, []);
  assert.deepEqual([...repo.tags.keys()], []);
  assert.deepEqual([...repo.untagged], []);
});

test("a sha512 image: its fallback index is the spec's cut tag, found and deleted with it", async () => {
  const hex = '1'.repeat(128);
  const image = `sha512:${hex}`;
  const [sig, index] = [D('5'), D('7')];
  const fallback = `sha512-${hex.slice(0, 64)}`;
  assert.deepEqual(referrerTags(['v1', fallback, `sha512-${hex}`, `sha256-${hex.slice(0, 64)}`], image), [fallback]);
  const listing = class extends ReferrerRepository {
    override async getManifest(): Promise<{ parsed: ParsedManifest }> {
      return {
        parsed: { kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ digest: sig }] } as ParsedManifest,
      };
    }
  };
  const repo = new listing(
    new Map([
      ['a', image],
      [fallback, index],
    ]),
    new Set([sig]),
    new Set(),
  );
  const [result] = await deleteTags(repo, [{ tag: 'a', digest: image }], {}, false);
  assert.ok(result?.action === 'deleted');
  assert.deepEqual(result.referrers, [fallback]);
  assert.deepEqual(result.referrerDigests.sort(), [sig, index].sort());
  assert.deepEqual([...repo.tags.keys()], []);
});

test('a tag pushed over: its owed referrer goes unless what the tag now holds is its subject; those of the image it held stay, handed to a tag still at it', async () => {
  const [sig, owedSig, owedOfNow] = [D('5'), D('6'), D('7')];
  const recorded = [
    { tag: 'a', imageDigest: D('1'), digest: sig, subject: D('1') },
    { tag: 'a', imageDigest: D('0'), digest: owedSig, subject: D('0'), owed: true },
    { tag: 'a', imageDigest: D('9'), digest: owedOfNow, subject: D('9'), owed: true },
  ];
  // Someone pushed D('9') over a, where picture-book wrote D('1'); b (not going) still holds D('1').
  const tags = new Map([
    ['a', D('9')],
    ['b', D('1')],
  ]);
  const repo = new ReferrerRepository(tags, new Set([sig, owedSig, owedOfNow]), new Set());
  const [result] = await deleteTags(repo, [{ tag: 'a', digest: D('1') }], {}, false, recorded);
  assert.ok(result?.action === 'released', 'the tag is released, not deleted');
  assert.deepEqual(result.referrerDigests, [owedSig], 'the owed referrer of an image gone went');
  assert.deepEqual(result.referrerFailures, []);
  assert.equal(result.keepsRecords, true);
  assert.deepEqual([...repo.untagged].sort(), [sig, owedOfNow].sort(), 'the referrers of what a and b hold stayed');
  assert.deepEqual(result.handedOver, [{ tag: 'b', imageDigest: D('1'), digest: sig, subject: D('1') }]);
  assert.deepEqual([...repo.tags.keys()], ['a', 'b']);
});
