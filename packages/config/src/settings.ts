// The optional JSON settings file next to the app: `settings.json` in the
// working directory, or the file SETTINGS_FILE names. Values in it are the
// same keys as the environment's; the environment wins.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs'
import { resolve } from 'node:path'
import { ConfigError, isConfigError } from './errors.ts'

export type Env = Readonly<Record<string, string | undefined>>
type Settings = Readonly<Record<string, unknown>>

const DEFAULT_SETTINGS_FILE = 'settings.json'
/** A dozen keys fit in 2 KiB; anything near this cap is not a settings file. */
export const MAX_SETTINGS_BYTES = 64 * 1024

/** The settings file's absolute path; undefined when SETTINGS_FILE is set to nothing. */
export function settingsPath(env: Env, cwd: string): string | undefined {
  const named = env.SETTINGS_FILE
  return named === '' ? undefined : resolve(cwd, named ?? DEFAULT_SETTINGS_FILE)
}

/** Reads the settings file; a missing default file is fine, a named one must exist. */
export function readSettings(env: Env = process.env, cwd: string = process.cwd()): Settings {
  const path = settingsPath(env, cwd)
  if (path === undefined) throw new ConfigError(['SETTINGS_FILE must be a file path, got ""'])
  let text: string
  try {
    text = readRegularFile(path)
  } catch (error) {
    if (isConfigError(error)) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && env.SETTINGS_FILE === undefined) return {}
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

/**
 * Reads a regular file of at most MAX_SETTINGS_BYTES. O_NONBLOCK makes opening a FIFO
 * return at once (a plain open waits for a writer forever); fstat on the opened file, not
 * the path, then refuses FIFOs, devices (a link to /dev/zero) and directories.
 */
function readRegularFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile()) {
      throw new ConfigError([`settings file ${path} must be a regular file, not ${kindOf(stats)}`])
    }
    const tooLarge = () =>
      new ConfigError([`settings file ${path} is larger than ${MAX_SETTINGS_BYTES} bytes`])
    if (stats.size > MAX_SETTINGS_BYTES) throw tooLarge()
    // Never more than the cap plus one byte, even if the file grows while it is read.
    const buffer = Buffer.alloc(MAX_SETTINGS_BYTES + 1)
    let length = 0
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null)
      if (read === 0) break
      length += read
      if (length === buffer.length) throw tooLarge()
    }
    return buffer.toString('utf8', 0, length)
  } finally {
    closeSync(fd)
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO'
  if (stats.isDirectory()) return 'a directory'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  if (stats.isSocket()) return 'a socket'
  return 'something else'
}
