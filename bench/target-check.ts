import { request } from 'undici';

async function getJson<T>(url: string): Promise<T> {
  const response = await request(url);
  if (response.statusCode !== 200) throw new Error(`GET ${url}: HTTP ${response.statusCode}`);
  return (await response.body.json()) as T;
}

/**
 * What a mirror run left in the target: every tag of every repository. A run only counts as a
 * figure when the target holds exactly the tags it was asked to copy, so a tool that silently
 * skipped images cannot look fast.
 */
export async function targetTags(targetUrl: string): Promise<string[]> {
  const { repositories } = await getJson<{ repositories: string[] }>(`${targetUrl}/v2/_catalog?n=1000`);
  const tags: string[] = [];
  for (const repo of repositories) {
    const list = await getJson<{ tags: string[] | null }>(`${targetUrl}/v2/${repo}/tags/list?n=1000`);
    for (const tag of list.tags ?? []) tags.push(`${repo}:${tag}`);
  }
  return tags.sort();
}

/** Throws unless the target holds one tag per expected image (names: `<repository>/<repo>:<tag>`, either tool). */
export async function assertMirrored(targetUrl: string, expected: readonly string[], who: string, repository = 'mirror'): Promise<void> {
  const have = new Set(await targetTags(targetUrl));
  const missing = expected.filter((path) => !have.has(`${repository}/${path}`));
  if (missing.length > 0 || have.size !== expected.length) {
    const sample = [...have].slice(0, 3).join(', ');
    throw new Error(
      `${who}: target holds ${have.size} tags, expected ${expected.length}; missing e.g. ${missing.slice(0, 3).join(', ')} (target has e.g. ${sample})`,
    );
  }
}
