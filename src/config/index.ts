export { loadConfig, resolveConfigPath } from './load.js';
export { redactConfig } from './redact.js';
export { checkCron } from './cross-checks.js';
export { credentialsFor } from './auth-setting.js';
export { HOST_DEFAULTS, toEndpointOptions, type HostAccess, type HostSettings } from './host-settings.js';
export type {
  AuthSetting,
  EnvSourcedValue,
  LoadedConfig,
  PictureBookConfig,
  QueueSettings,
  RegistryConfig,
  SourceMap,
  SourceSettings,
  TargetAuthMap,
} from './types.js';
export { configSecrets, type ConfigSecret } from './config-secrets.js';
