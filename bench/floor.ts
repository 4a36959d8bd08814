import { Agent, request } from 'undici';
import type { CorpusBlob } from './seed.js';
import { mapPool } from './pool.js';

/** What the raw-floor process is told to move (written as JSON by the benchmark). */
export interface FloorPlan {
  sourceUrl: string;
  targetUrl: string;
  concurrency: number;
  blobs: CorpusBlob[];
}

async function expectStatus(
  what: string,
  response: { statusCode: number; body: { text(): Promise<string> } },
  wanted: number,
): Promise<void> {
  if (response.statusCode === wanted) return;
  throw new Error(`${what}: HTTP ${response.statusCode} (wanted ${wanted}): ${(await response.body.text()).slice(0, 300)}`);
}

/**
 * The physical limit for a corpus: every unique blob streamed once from the source to the target
 * (GET piped into POST + monolithic PUT), `concurrency` at a time, biggest first, over keep-alive
 * connections. No manifests, no existence checks, no hashing on our side (the registry still
 * verifies the digest at PUT, as it does for every client).
 */
export async function runFloor(plan: FloorPlan): Promise<{ blobs: number; bytes: number }> {
  const dispatcher = new Agent({ connections: plan.concurrency * 2, keepAliveTimeout: 30_000 });
  const ordered = [...plan.blobs].sort((a, b) => b.size - a.size);
  let bytes = 0;
  try {
    await mapPool(ordered, plan.concurrency, async (blob) => {
      const repo = `mirror/${blob.repo}`;
      const started = await request(`${plan.targetUrl}/v2/${repo}/blobs/uploads/`, {
        method: 'POST',
        headers: { 'content-length': '0' },
        dispatcher,
      });
      await expectStatus(`POST ${repo}`, started, 202);
      await started.body.dump();
      const location = new URL(String(started.headers.location), plan.targetUrl);
      location.search = `${location.search ? `${location.search}&` : '?'}digest=${encodeURIComponent(blob.digest)}`;
      const source = await request(`${plan.sourceUrl}/v2/${blob.repo}/blobs/${blob.digest}`, { dispatcher });
      await expectStatus(`GET ${blob.repo}@${blob.digest}`, source, 200);
      const put = await request(location, {
        method: 'PUT',
        headers: { 'content-length': String(blob.size), 'content-type': 'application/octet-stream' },
        body: source.body,
        dispatcher,
      });
      await expectStatus(`PUT ${repo}@${blob.digest}`, put, 201);
      await put.body.dump();
      bytes += blob.size;
    });
  } finally {
    await dispatcher.close();
  }
  return { blobs: ordered.length, bytes };
}
