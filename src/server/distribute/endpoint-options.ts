import { Credentials } from '../../auth/credentials.js';
import type { EndpointOptions } from '../../transport/index.js';
import type { RegistryAddress } from './endpoint-address.js';
import { fetchOutOfBandToken } from './out-of-band-token.js';
import type { DistributeAuth } from './request-schema.js';

export interface JobSide {
  verify_tls?: boolean | undefined;
  auth?: DistributeAuth | undefined;
}

/**
 * How the copy engine reaches one registry of a job. Basic auth wins over a token URL (as the
 * transfer-service API says); a token URL is asked for a token once, used as a static token.
 */
export async function endpointOptions(side: JobSide, address: RegistryAddress, signal: AbortSignal): Promise<EndpointOptions> {
  const options: EndpointOptions = {};
  // The endpoint URL names its scheme: no https attempt first, and errors name the right URL.
  if (address.insecure) Object.assign(options, { insecure: true, scheme: 'http' });
  if (side.verify_tls === false) options.tlsVerify = false;
  const auth = side.auth;
  if (auth?.basicauth) {
    options.credentials = new Credentials(auth.basicauth.user, auth.basicauth.password);
  } else if (auth?.url) {
    const token = await fetchOutOfBandToken({ ...auth, url: auth.url }, side.verify_tls !== false, signal);
    options.staticToken = { token, type: auth.token_type?.toLowerCase() === 'jwt' ? 'JWT' : 'Bearer' };
  }
  return options;
}
