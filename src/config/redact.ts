import type { AuthSetting, PictureBookConfig } from './types.js';

const REDACTED = '***';

function redactAuth(setting: AuthSetting | undefined): unknown {
  if (!setting) return '';
  if (setting.kind === 'userpass') return { kind: 'username:password', username: setting.credentials.username, password: REDACTED };
  return { kind: 'DockerConfigJSON', registries: [...setting.auths.keys()], credentials: REDACTED };
}

/** A JSON-safe view of the configuration with every secret replaced, for the API and logs. */
export function redactConfig(config: PictureBookConfig): unknown {
  return {
    file: config.file,
    registries: config.registries.map((r) => ({ ...r, pullAuth: redactAuth(r.pullAuth), pushAuth: redactAuth(r.pushAuth) })),
    display: config.display,
    api: { ...config.api, authToken: config.api.authToken ? REDACTED : '' },
    state: config.state,
    sync: config.sync,
    concurrency: config.concurrency,
  };
}
