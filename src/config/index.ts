export { loadConfig, resolveConfigPath } from './load.js';
export { redactConfig } from './redact.js';
export { checkCron } from './cross-checks.js';
export type { AuthSetting, EnvSourcedValue, LoadedConfig, PictureBookConfig, RegistryConfig, SourceMap, SourceSettings } from './types.js';
export { configSecrets, type ConfigSecret } from './config-secrets.js';
