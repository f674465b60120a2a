// The optional JSON settings file next to the app: `settings.json` in the
// working directory, or the file SETTINGS_FILE names. Values in it are the
// same keys as the environment's; the environment wins.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

export type Env = Readonly<Record<string, string | undefined>>
export type Settings = Readonly<Record<string, unknown>>

export const DEFAULT_SETTINGS_FILE = 'settings.json'

export class ConfigError extends Error {
  readonly code = 'NUMBERS_ERR_CONFIG'
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** Reads the settings file; a missing default file is fine, a named one must exist. */
export function readSettings(env: Env = process.env, cwd: string = process.cwd()): Settings {
  const named = env.SETTINGS_FILE
  if (named === '') throw new ConfigError(['SETTINGS_FILE must be a file path, got ""'])
  const path = resolve(cwd, named ?? DEFAULT_SETTINGS_FILE)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && named === undefined) return {}
    throw new ConfigError([`settings file ${path} cannot be read (${code ?? 'error'})`])
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ConfigError([`settings file ${path} is not valid JSON: ${(error as Error).message}`])
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`settings file ${path} must hold a JSON object of KEY: value`])
  }
  return parsed as Settings
}
