import { Credentials } from '../../auth/credentials.js';
import { HOST_DEFAULTS, toEndpointOptions, type HostAccess } from '../../config/index.js';
import { splitHostPort } from '../../reference/registry-host.js';
import type { EndpointOptions } from '../../transport/index.js';
import type { AddressPolicy } from './address-policy.js';
import type { RegistryAddress } from './endpoint-address.js';
import { fetchOutOfBandToken } from './out-of-band-token.js';
import { checkHostAddresses } from './request-addresses.js';
import type { DistributeAuth } from './request-schema.js';

export interface JobSide {
  endpoint: string;
  verify_tls?: boolean | undefined;
  ca?: string | undefined;
  auth?: DistributeAuth | undefined;
}

/**
 * How the copy engine reaches one registry of a job. Basic auth wins over a token URL (as the
 * transfer-service API says); a token URL is asked for a token once, used as a static token. Every
 * address involved is checked against the policy first, and every connection is guarded by it.
 */
export interface EndpointContext {
  signal: AbortSignal;
  policy: AddressPolicy;
  /** Told every secret obtained on the way (a token from the token URL), for the scrubber. */
  keepSecret?: (secret: string) => void;
}

export async function endpointOptions(
  side: JobSide,
  address: RegistryAddress,
  { signal, policy, keepSecret }: EndpointContext,
): Promise<EndpointOptions> {
  await checkHostAddresses(splitHostPort(address.host).host, policy, side.endpoint);
  const auth = side.auth;
  const settings: HostAccess = {
    ...HOST_DEFAULTS,
    // The endpoint URL names its scheme: no https attempt first, and errors name the right URL.
    insecure: address.insecure,
    ...(address.insecure ? { scheme: 'http' } : {}),
    tlsVerify: side.verify_tls ?? HOST_DEFAULTS.tlsVerify,
    ca: side.ca,
    ...(auth?.basicauth ? { credentials: new Credentials(auth.basicauth.user, auth.basicauth.password) } : {}),
  };
  const options: EndpointOptions = { addressGuard: policy, ...toEndpointOptions(settings) };
  if (!auth?.basicauth && auth?.url) {
    const tokenUrl = new URL(auth.url);
    await checkHostAddresses(tokenUrl.hostname, policy, `token URL ${tokenUrl.origin}`);
    const token = await fetchOutOfBandToken(
      { ...auth, url: auth.url },
      { tlsVerify: settings.tlsVerify, ca: settings.ca, guard: policy },
      signal,
    );
    keepSecret?.(token);
    options.staticToken = { token, type: auth.token_type?.toLowerCase() === 'jwt' ? 'JWT' : 'Bearer' };
  }
  return options;
}
