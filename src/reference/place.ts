import { layoutPrefix, parseLayoutPlace } from './layout-place.js';
import { parseRegistryHost } from './registry-host.js';

/**
 * Where images are kept, as a config's `hostname` names it: a registry host (normalised as in a
 * reference) or an OCI layout, `oci:DIR` or `oci-archive:FILE.tar`, its path made absolute against
 * `base` (the directory of config.yaml).
 */
export function parsePlace(value: string, base?: string): string {
  return layoutPrefix(value) ? parseLayoutPlace(value, base) : parseRegistryHost(value);
}
