// The words and the bytes: result lines, --json objects, --verbose details, and the
// one way anything reaches stdout or stderr. Whatever a server or a file chose
// (a reason phrase, a header, a certificate's subject) passes printable() first.
import type { CheckResult } from './result.ts'

export const PREFIX = 'http-check:'

/**
 * The words of a result: the CLI's line (after PREFIX), and the library's formatResult():
 * `ok 200 http://localhost/health 3ms`, `fail http://numbers-api/rng: bad status 500 after 2ms`,
 * `ok cert tls.pem 1ms (CN=numbers-api, 29 days left)`.
 */
export function formatResult(result: CheckResult): string {
  const elapsed = `${Math.round(result.elapsedMs)}ms`
  if (result.ok) {
    const status = result.status === undefined ? '' : `${result.status} `
    const detail = result.detail === undefined ? '' : ` (${result.detail})`
    return printable(`ok ${status}${result.url} ${elapsed}${detail}`)
  }
  // A timeout already says how long it waited.
  if (result.code === 'TIMEOUT') return printable(`fail ${result.url}: ${result.reason}`)
  return printable(`fail ${result.url}: ${result.reason} after ${elapsed}`)
}

/** One --json object: target, ok, status or error code, ms (and attempts in wait mode). */
export function jsonResult(result: CheckResult, attempts?: number): string {
  const object = {
    target: result.url,
    ok: result.ok,
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.ok ? {} : { code: result.code, error: result.reason }),
    ...(result.ok && result.detail !== undefined ? { detail: result.detail } : {}),
    ms: Math.round(result.elapsedMs),
    ...(attempts === undefined ? {} : { attempts }),
  }
  // JSON.stringify escapes C0 controls; DEL, C1 and bidi controls still pass raw.
  return JSON.stringify(object).replace(
    UNSAFE,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  )
}

/** C0 and C1 controls, DEL, and the bidi overrides that reorder what a terminal shows. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** Text that came from elsewhere, safe for one line of a terminal or a log: controls as `\xNN`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.codePointAt(0) ?? 0
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`
  })
}

/** A URL as printed: user and password (a token, often) never leave the process. */
export function displayUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href
  const shown = new URL(url.href)
  shown.username = '***'
  shown.password = ''
  return shown.href
}

function formatMs(ms: number | undefined): string {
  return ms === undefined ? '?' : `${ms.toFixed(1)}ms`
}

/** What --verbose adds about one attempt, on stderr. */
export function describeAttempt(result: CheckResult): string {
  const lines: string[] = []
  const { connectMs, headersMs } = result.timings
  if (result.remoteAddress !== undefined) {
    lines.push(`connected to ${result.remoteAddress} in ${formatMs(connectMs)}`)
  }
  const response = result.response
  if (response !== undefined) {
    lines.push(`< HTTP/${response.httpVersion} ${result.status ?? ''} ${response.statusText}`)
    for (let index = 0; index + 1 < response.rawHeaders.length; index += 2) {
      lines.push(`< ${response.rawHeaders[index]}: ${response.rawHeaders[index + 1]}`)
    }
    lines.push(`headers after ${formatMs(headersMs)}, ${response.bodyBytes} body bytes read`)
  }
  lines.push(`${formatResult(result)} (${formatMs(result.elapsedMs)})`)
  return lines.map((line) => `${PREFIX} ${printable(line)}\n`).join('')
}

/**
 * writeSync on the inherited descriptor, not process.stdout: creating that
 * stream loads a pipe or file stream (~1.7 MB RSS) for a line or two, and a
 * synchronous write is surely out before process.exit.
 */
export function print(fd: 1 | 2, text: string): void {
  const { writeSync } = process.getBuiltinModule('node:fs')
  let bytes = Buffer.from(text)
  // A non-blocking pipe may be full for a moment: retry for up to a second.
  for (let retries = 0; bytes.length > 0 && retries < 1000; ) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes))
    } catch (error) {
      // Anything but a full pipe means nobody reads; the exit status still tells.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1)
      retries++
    }
  }
}
