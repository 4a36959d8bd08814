import { maskUserinfo } from '../errors/mask-userinfo.js';
import { IDENTITY_KEYS } from './env-expand.js';
import type { WebhookSettings } from './notifications-schema.js';
import type { AuthSetting, PictureBookConfig } from './types.js';
import type { Path } from './yaml-locator.js';
import { formatPath } from './zod-problems.js';

const REDACTED = '***';
/** Shorter values would mask ordinary text everywhere (the server log uses the same floor). */
export const MIN_SECRET_LENGTH = 4;

function redactAuth(setting: AuthSetting | undefined): unknown {
  if (!setting) return '';
  if (setting.kind === 'userpass') return { kind: 'username:password', username: setting.credentials.username, password: REDACTED };
  const helpers = [...(setting.credHelpers ?? [])];
  return {
    kind: 'DockerConfigJSON',
    registries: [...setting.auths.keys()],
    credentials: REDACTED,
    // Helper names and their hosts are not secrets (the helper holds them): shown so that a run's helper failure can be matched.
    ...(helpers.length > 0 ? { credHelpers: Object.fromEntries(helpers) } : {}),
    ...(setting.credsStore !== undefined ? { credsStore: setting.credsStore } : {}),
  };
}

/** A proxy URL's `user:password@` is masked (absent stays absent). */
function redactProxy(proxy: string | undefined): { proxy?: string } {
  return proxy === undefined ? {} : { proxy: maskUserinfo(proxy) };
}

/**
 * A webhook as the API shows it: where it goes (scheme, host, port) but not its path, query or
 * userinfo, which often are the receiver's secret (a Slack hook's path is its key), nor its
 * secret or header values.
 */
function redactWebhook(webhook: WebhookSettings): Record<string, unknown> {
  return {
    url: webhookOrigin(webhook.url),
    secret: webhook.secret === undefined ? null : REDACTED,
    headers: Object.fromEntries(Object.keys(webhook.headers).map((name) => [name, REDACTED])),
    events: webhook.events,
    timeoutSeconds: webhook.timeoutSeconds,
    retries: webhook.retries,
  };
}

/** `https://hooks.example:8443/***`: a webhook URL as messages and the API may show it. */
export function webhookOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname === '/' && parsed.search === '' ? '/' : `/${REDACTED}`}`;
  } catch {
    return REDACTED;
  }
}

/** Every string a config took from the environment and may be a secret (see EnvSourcedValue). */
export function environmentSecrets(config: PictureBookConfig): string[] {
  return (config.fromEnvironment ?? []).flatMap((v) => v.values).filter((s) => s.length >= MIN_SECRET_LENGTH);
}

/**
 * Values from the environment are shown as written (`--api-key ${SCRIPT_KEY}`), found by key path;
 * any other string that still contains one of them (an alias, a path built from it) is masked.
 */
function withPlaceholders(view: unknown, config: PictureBookConfig): unknown {
  const originals = new Map((config.fromEnvironment ?? []).map((v) => [v.path, v.original]));
  const secrets = environmentSecrets(config);
  const walk = (node: unknown, segments: Path, key: string): unknown => {
    const original = originals.get(formatPath(segments));
    // Auth settings are objects by now, already redacted: they are walked like the rest.
    if (original !== undefined && typeof node === 'string') return original;
    // Identity fields stay as they are: the API finds registries by hostname.
    if (typeof node === 'string')
      return IDENTITY_KEYS.has(key) ? node : secrets.reduce((text, secret) => text.split(secret).join(REDACTED), node);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...segments, i], key));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([name, value]) => [name, walk(value, [...segments, name], name)]));
    }
    return node;
  };
  return walk(view, [], '');
}

/** A JSON-safe view of the configuration with every secret replaced, for the API and logs. */
export function redactConfig(config: PictureBookConfig): unknown {
  const view = {
    file: config.file,
    // `sources` is the config's map, shown once at the top level.
    registries: config.registries.map(({ sources: _sources, targets: _targets, ...r }) => ({
      ...r,
      pullAuth: redactAuth(r.pullAuth),
      pushAuth: redactAuth(r.pushAuth),
      ...redactProxy(r.proxy),
    })),
    sources: Object.fromEntries(
      [...(config.sources ?? [])].map(([host, source]) => [
        host,
        { ...source, auth: redactAuth(source.auth), ...redactProxy(source.proxy) },
      ]),
    ),
    ...(config.targets && config.targets.size > 0
      ? { targets: Object.fromEntries([...config.targets].map(([key, target]) => [key, { auth: redactAuth(target.auth) }])) }
      : {}),
    display: config.display,
    api: { ...config.api, authToken: config.api.authToken ? REDACTED : '' },
    state: config.state,
    sync: config.sync,
    concurrency: config.concurrency,
    ...(config.notifications ? { notifications: { webhooks: config.notifications.webhooks.map(redactWebhook) } } : {}),
  };
  return withPlaceholders(view, config);
}
