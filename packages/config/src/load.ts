// Validates a service's configuration once, at start-up: every bad key is
// reported in one ConfigError, in words a user can act on.
import envSchema from 'env-schema'
import { type ConfigOf, isKeyName, type KeyName, keys } from './keys.ts'
import { ConfigError, type Env, readSettings } from './settings.ts'

type AjvError = { instancePath: string; keyword: string; params: Record<string, unknown> }

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
  const data: Record<string, unknown> = {}
  for (const name of names) {
    const value = env[name] ?? settings[name]
    if (value !== undefined) data[name] = value
  }
  const schema = {
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, keys[name].schema])),
  }
  try {
    return envSchema<ConfigOf<K>>({ schema, data: { ...data }, env: false })
  } catch (error) {
    const ajvErrors = (error as { errors?: AjvError[] }).errors
    if (!ajvErrors) throw error
    throw new ConfigError(describe(ajvErrors, data))
  }
}

function describe(errors: readonly AjvError[], data: Record<string, unknown>): string[] {
  const problems = new Set<string>()
  for (const error of errors) {
    const name = error.instancePath.slice(1)
    if (!isKeyName(name)) continue
    problems.add(`${name} must be ${keys[name].expected}, got ${JSON.stringify(data[name])}`)
  }
  return [...problems]
}
