// From what the command line names to what is checked: URLs as given, the URL
// in a config key, or else the app's own /health; certificates and files as given.
import { isConfigError } from '@numbers/config/errors'
import { expectedOf, keys } from '@numbers/config/keys'
import { lookup } from '@numbers/config/lookup'
import { parseInteger, parseUrl } from '@numbers/config/parse'
import { settingsPath } from '@numbers/config/settings'
import type { CheckCommand } from './args.ts'
import { hasCode, targetError } from './errors.ts'
import { isTcpTarget } from './option-values.ts'

export type Target =
  | { readonly kind: 'http'; readonly url: URL }
  | { readonly kind: 'tcp'; readonly url: URL }
  | { readonly kind: 'cert'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string }

/**
 * The targets in the order given, or the one line saying which could not be read.
 * Config values are never printed: a key like DATABASE_URL may hold a password.
 */
export function resolveTargets(
  command: CheckCommand,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Target[] | string {
  // Own keys only: a variable named like a property of Object.prototype is no setting.
  const ownEnv: Record<string, string | undefined> = Object.assign(Object.create(null), env)
  const targets: Target[] = []
  try {
    for (const spec of command.targets) {
      if (spec.kind === 'url') targets.push(urlTarget(spec.url))
      else if (spec.kind === 'config') targets.push(configTarget(spec.key, ownEnv, cwd))
      else targets.push(spec)
    }
    if (targets.length === 0) targets.push({ kind: 'http', url: defaultUrl(ownEnv, cwd) })
  } catch (error) {
    if (hasCode(error, 'HTTP_CHECK_ERR_TARGET')) return error.message
    throw error
  }
  const path = command.path
  if (path === undefined) return targets
  return targets.map((target) =>
    target.kind === 'http' ? { kind: 'http', url: new URL(path, target.url) } : target,
  )
}

function urlTarget(url: URL): Target {
  return url.protocol === 'tcp:' ? { kind: 'tcp', url } : { kind: 'http', url }
}

function configTarget(key: string, env: Record<string, string | undefined>, cwd: string): Target {
  const value = readConfig(key, `-c ${key}`, env, cwd)
  if (value === undefined) {
    throw targetError(
      `-c ${key}: no such config key, and not set in the environment or the settings file`,
    )
  }
  const url = parseUrl(value, ['http:', 'https:', 'tcp:'])
  if (url === undefined || (url.protocol === 'tcp:' && !isTcpTarget(url))) {
    // Not the value: it is not a URL we can use, and it may well be a secret.
    throw targetError(
      `-c ${key} must hold an http://, https:// or tcp://HOST:PORT URL (its value is not shown)`,
    )
  }
  return urlTarget(url)
}

/** Where the app itself listens: PORT read the way the app reads it, so both agree. */
function defaultUrl(env: Record<string, string | undefined>, cwd: string): URL {
  const port = readConfig('PORT', 'the default URL', env, cwd) ?? ''
  const { minimum, maximum } = keys.PORT.schema
  const value = parseInteger(port, minimum, maximum)
  if (value === undefined) {
    throw targetError(
      `PORT must be ${expectedOf(keys.PORT)}, got ${JSON.stringify(port.slice(0, 40))} (it makes the default URL; -u names one)`,
    )
  }
  return new URL(`http://localhost:${value}/health`)
}

function readConfig(
  key: string,
  context: string,
  env: Record<string, string | undefined>,
  cwd: string,
): string | undefined {
  const refused = refuseSpecialSettingsFile(env, cwd)
  if (refused !== undefined) throw targetError(`${context}: ${refused}`)
  try {
    return lookup(key, env, cwd)
  } catch (error) {
    // The settings file's problems already read as sentences.
    if (!isConfigError(error)) throw error
    throw targetError(`${context}: ${error.problems.join('; ')}`)
  }
}

/**
 * A FIFO (or a terminal, or /dev/zero) at the settings file's path would block
 * the config reader's synchronous read for ever, and no timer fires while it
 * blocks: a stat, which never blocks on those, comes first. The config package
 * refuses non-regular files too; this keeps the check's deadline either way.
 */
function refuseSpecialSettingsFile(
  env: Record<string, string | undefined>,
  cwd: string,
): string | undefined {
  const { statSync } = process.getBuiltinModule('node:fs')
  const path = settingsPath(env, cwd)
  if (path === undefined) return undefined
  let stats: ReturnType<typeof statSync>
  try {
    stats = statSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined // EACCES and the like: the config reader says it in its words
  }
  if (stats === undefined || stats.isFile()) return undefined
  return `settings file ${path} is not a regular file`
}
