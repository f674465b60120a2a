export { ConfigError, isConfigError } from './errors.ts'
export {
  type ConfigOf,
  defaultsOf,
  expectedOf,
  type KeyDefinition,
  type KeyName,
  type KeyUsedBy,
  keys,
  keysUsedBy,
  type Service,
} from './keys.ts'
export { loadConfig } from './load.ts'
