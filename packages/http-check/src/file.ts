// `--file PATH`: the path exists and this user may read it (a secret, a socket
// file, a mounted config). And the one safe way to read a small local file.
import { nowMs } from './clock.ts'
import { describeError } from './errors.ts'
import { printable } from './output.ts'
import type { CheckResult } from './result.ts'

export function checkFile(path: string): CheckResult {
  const startedAt = nowMs()
  const shownAs = `file ${path}`
  const fs = process.getBuiltinModule('node:fs')
  try {
    fs.accessSync(path, fs.constants.R_OK)
    return { ok: true, url: shownAs, elapsedMs: nowMs() - startedAt, timings: {} }
  } catch (error) {
    const { code } = describeError(error)
    const reason = code === 'ENOENT' ? 'ENOENT no such file' : `${code} not readable by this user`
    return { ok: false, url: shownAs, code, reason, elapsedMs: nowMs() - startedAt, timings: {} }
  }
}

/** Larger files are refused: a certificate bundle is a few KiB. */
const MAX_FILE_BYTES = 1024 * 1024

/**
 * A regular file's text, or why not. Opened non-blocking and checked before any
 * read, so a FIFO, a terminal or /dev/zero is refused instead of hanging the
 * check past its deadline (a synchronous read cannot be interrupted).
 */
export function readSmallFile(path: string): { text: string } | { code: string; reason: string } {
  const fs = process.getBuiltinModule('node:fs')
  let fd: number | undefined
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    const stats = fs.fstatSync(fd)
    if (!stats.isFile())
      return { code: 'NOT_A_FILE', reason: `${printable(path)} is not a regular file` }
    if (stats.size > MAX_FILE_BYTES) {
      return {
        code: 'TOO_LARGE',
        reason: `${printable(path)} is larger than ${MAX_FILE_BYTES} bytes`,
      }
    }
    return { text: fs.readFileSync(fd, 'utf8') }
  } catch (error) {
    const { code } = describeError(error)
    return { code, reason: `${printable(path)} cannot be read (${code})` }
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
