import { DOCKER_HUB, DOCKER_HUB_API_HOST, type Reference } from '../reference/index.js';

// `/v2/<name>/manifests/...`, `/v2/<name>/blobs/...` (uploads too), `/v2/<name>/tags/list`.
const REPOSITORY_PATH = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//;

/**
 * Which configured registries a request belongs to, known from its URL alone: the transport's
 * retry notices carry only the URL, as connections are shared by every image and registry of a
 * run. Found by host and repository (source or target side), else by host; several registries
 * sharing a source repository are all named; '' when nothing matches (a token service, say).
 */
export class RequestOwners {
  #byRepository = new Map<string, Set<string>>();
  #byHost = new Map<string, Set<string>>();

  /** `reference` (a source or a target) is used for configured registry `registry`. */
  add(reference: Reference, registry: string): void {
    const host = reference.registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : reference.registry;
    addTo(this.#byRepository, `${host}/${reference.repository}`, registry);
    addTo(this.#byHost, host, registry);
  }

  ownerOf(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return '';
    }
    const repository = REPOSITORY_PATH.exec(parsed.pathname)?.[1];
    const owners = (repository !== undefined ? this.#byRepository.get(`${parsed.host}/${decodeURIComponent(repository)}`) : undefined) ?? this.#byHost.get(parsed.host);
    return owners ? [...owners].sort().join(', ') : '';
  }
}

function addTo(map: Map<string, Set<string>>, key: string, registry: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(registry);
}
