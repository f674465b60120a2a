// The cheap path to one setting, for http-check's `-c KEY`: no validator is
// loaded, so a health check pays only for reading a small file.
import { isKeyName, keys } from './keys.ts'
import { type Env, readSettings } from './settings.ts'

/**
 * The value a service would see for `key`: the environment, else the settings
 * file, else the key's default. `undefined` when none of them has it.
 */
export function lookup(key: string, env: Env = process.env, cwd?: string): string | undefined {
  const fromEnv = env[key]
  if (fromEnv !== undefined) return fromEnv
  const fromFile = readSettings(env, cwd)[key]
  if (fromFile !== undefined && fromFile !== null) return String(fromFile)
  return isKeyName(key) ? String(keys[key].schema.default) : undefined
}
