// Validates a service's configuration once, at start-up: every bad key is
// reported in one ConfigError, in words a user can act on.
import { type ConfigOf, isKeyName, type KeyName, keys } from './keys.ts'
import { ConfigError, type Env, readSettings } from './settings.ts'
import { checkValue } from './validate.ts'

export type LoadOptions = { readonly env?: Env; readonly cwd?: string }

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
    const { schema, expected } = keys[name]
    const raw = env[name] ?? settings[name]
    if (raw === undefined) {
      config[name] = schema.default
      continue
    }
    const checked = checkValue(schema, raw)
    if (checked.ok) config[name] = checked.value
    else problems.push(`${name} must be ${expected}, got ${JSON.stringify(raw)}`)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config as ConfigOf<K>
}
