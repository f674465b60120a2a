export {
  type ConfigOf,
  defaultsOf,
  isKeyName,
  type KeyDefinition,
  type KeyName,
  keys,
} from './keys.ts'
export { type LoadOptions, loadConfig } from './load.ts'
export { lookup } from './lookup.ts'
export { ConfigError, DEFAULT_SETTINGS_FILE, type Env, readSettings } from './settings.ts'
