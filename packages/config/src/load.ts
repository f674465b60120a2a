// Validates a service's configuration once, at start-up: every bad key is
// reported in one ConfigError, in words a user can act on.
import { ConfigError } from './errors.ts'
import { type ConfigOf, expectedOf, isKeyName, type KeyName, keys } from './keys.ts'
import { type Env, readSettings } from './settings.ts'
import { checkValue } from './validate.ts'

type LoadOptions = { readonly env?: Env; readonly cwd?: string }

export function loadConfig<K extends KeyName>(
  names: readonly K[],
  { env = process.env, cwd }: LoadOptions = {},
): ConfigOf<K> {
  const settings = readSettings(env, cwd)
  const unknown = Object.keys(settings).filter((name) => !isKeyName(name))
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((name) => `settings file has an unknown key ${name}`))
  }
  const config: Record<string, unknown> = {}
  const problems: string[] = []
  for (const name of names) {
    const key = keys[name]
    const raw = env[name] ?? settings[name]
    if (raw === undefined) {
      config[name] = key.schema.default
      continue
    }
    const checked = checkValue(key.schema, raw)
    if (checked.ok) config[name] = checked.value
    else problems.push(`${name} must be ${expectedOf(key)}, got ${JSON.stringify(raw)}`)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config as ConfigOf<K>
}
