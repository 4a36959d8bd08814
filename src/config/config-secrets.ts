import { environmentSecrets } from './redact.js';
import type { WebhookSettings } from './notifications-schema.js';
import type { AuthSetting, PictureBookConfig } from './types.js';

/** A secret as the scrubber takes it: a string, or a username and password (masked also as Basic auth). */
export type ConfigSecret = string | { username: string; password: string };

function authSecrets(auth: AuthSetting | undefined): ConfigSecret[] {
  if (auth?.kind === 'userpass') return [{ username: auth.credentials.username, password: auth.credentials.password }];
  if (auth?.kind === 'docker-config') return [...auth.auths.values()].map((c) => ({ username: c.username, password: c.password }));
  return [];
}

/** The password of a proxy or Redis URL (`http://user:password@proxy:3128`). */
function proxySecrets(proxy: string | undefined): ConfigSecret[] {
  if (!proxy) return [];
  try {
    const url = new URL(proxy);
    return url.password ? [{ username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }] : [];
  } catch {
    return [];
  }
}

/** A webhook's URL (its path or query may be a key), its query values, userinfo password, signing secret and header values. */
function webhookSecrets(webhook: WebhookSettings): ConfigSecret[] {
  const secrets: ConfigSecret[] = [webhook.url, ...Object.values(webhook.headers)];
  if (webhook.secret !== undefined) secrets.push(webhook.secret);
  try {
    const url = new URL(webhook.url);
    secrets.push(...url.searchParams.values(), ...proxySecrets(webhook.url));
  } catch {
    // The schema accepted only URLs.
  }
  return secrets;
}

/**
 * Every secret a configuration holds: the API token, registry and source credentials, and every
 * value taken from an environment variable outside the identity fields (e.g. a key in syncerScriptArgs).
 */
export function configSecrets(config: PictureBookConfig): ConfigSecret[] {
  const auths = [
    ...config.registries.flatMap((r) => [r.pullAuth, r.pushAuth]),
    ...[...(config.sources?.values() ?? [])].map((s) => s.auth),
    ...[...(config.targets?.values() ?? [])].map((t) => t.auth),
  ];
  const proxies = [...config.registries.map((r) => r.proxy), ...[...(config.sources?.values() ?? [])].map((s) => s.proxy)];
  return [
    config.api.authToken,
    ...environmentSecrets(config),
    ...auths.flatMap(authSecrets),
    ...proxies.flatMap(proxySecrets),
    ...(config.notifications?.webhooks ?? []).flatMap(webhookSecrets),
    ...proxySecrets(config.queue?.url),
  ].filter((s) => s !== '');
}
