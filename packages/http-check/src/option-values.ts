// The value of each command-line option, checked: what it means, or a usage error
// that names the option, says what it takes and shows what it got.
import { parseInteger, parseUrl } from '@numbers/config/parse'
import { usageError } from './errors.ts'
import { displayUrl } from './output.ts'
import { parseExpect, type StatusRange } from './status.ts'

const MAX_TIMEOUT_MS = 600_000
const MAX_WAIT_MS = 3_600_000

/** http://, https:// or tcp://HOST:PORT. Errors show the text with any password hidden. */
export function parseTarget(text: string, words: string): URL {
  const url = parseUrl(text, ['http:', 'https:', 'tcp:'])
  if (url === undefined) {
    const parsed = URL.parse(text)
    const shown = parsed === null ? text : displayUrl(parsed)
    throw usageError(`${words} an http://, https:// or tcp:// URL, got ${JSON.stringify(shown)}`)
  }
  if (url.protocol === 'tcp:' && !isTcpTarget(url)) {
    throw usageError(
      `a tcp:// target is tcp://HOST:PORT and nothing else, got ${JSON.stringify(url.host)}`,
    )
  }
  return url
}

export function isTcpTarget(url: URL): boolean {
  return (
    url.port !== '' &&
    url.username === '' &&
    url.password === '' &&
    (url.pathname === '' || url.pathname === '/') &&
    url.search === '' &&
    url.hash === ''
  )
}

/**
 * Upper case, digits and `_`, as every config key and environment variable here is:
 * no name of Object.prototype (`constructor`, `__proto__`) can reach the lookup.
 */
export function parseKey(text: string): string {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(text)) {
    throw usageError(
      `-c needs a config key such as RNG_API_URL (A-Z, 0-9, _), got ${JSON.stringify(text)}`,
    )
  }
  return text
}

export function parseFilePath(text: string, flag: string): string {
  if (text === '') throw usageError(`${flag} needs a file path, got ""`)
  return text
}

export function parsePath(text: string): string {
  // `//host/x` would be read as a new host, not a path; so would `/\host` and `/<tab>/host`
  // (the URL parser reads `\` as `/` and drops tabs and newlines): check what it makes of it.
  const sameHost = URL.parse(text, 'http://h.invalid/')?.host === 'h.invalid'
  if (!text.startsWith('/') || text.startsWith('//') || !sameHost) {
    throw usageError(`-p needs a path starting with a single /, got ${JSON.stringify(text)}`)
  }
  return text
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: a header value may not hold them
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\0-\x08\x0a-\x1f\x7f]*?)[ \t]*$/
/** Headers that decide how the request and response are framed: http-check sets them. */
const FRAMING = new Set(['connection', 'content-length', 'transfer-encoding'])

export function parseHeader(text: string): readonly [string, string] {
  const match = HEADER.exec(text)
  const name = match?.[1] ?? ''
  if (match === null || [...text].some((char) => char > '\u00ff')) {
    throw usageError(
      `-H needs 'Name: value' without control characters, got ${JSON.stringify(text)}`,
    )
  }
  if (FRAMING.has(name.toLowerCase())) throw usageError(`-H cannot set ${name}: http-check sets it`)
  return [name, match[2] ?? '']
}

/** -t and --interval: a whole number of milliseconds, 1 ms to 10 min. */
export function parseWholeMs(text: string, flag: '-t' | '--interval'): number {
  const value = parseInteger(text, 1, MAX_TIMEOUT_MS)
  if (value === undefined) {
    throw usageError(
      `${flag} needs a whole number of milliseconds 1-${MAX_TIMEOUT_MS}, got ${JSON.stringify(text)}`,
    )
  }
  return value
}

export function parseDays(text: string): number {
  const value = parseInteger(text, 0, 3650)
  if (value === undefined) {
    throw usageError(
      `--cert-min-days needs a whole number of days 0-3650, got ${JSON.stringify(text)}`,
    )
  }
  return value
}

export function parseStatuses(text: string): readonly StatusRange[] {
  const expect = parseExpect(text)
  if (expect === undefined) {
    throw usageError(
      `--expect needs statuses 100-599 like 200,204 or 200-299 or 2xx, got ${JSON.stringify(text)}`,
    )
  }
  return expect
}

const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 }

/** `5s`, `500ms`, `2m`, `1.5s` or plain milliseconds, 1 ms to 60 min. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text)
  const value = match ? Math.round(Number(match[1]) * (unitMs[match[2] ?? 'ms'] ?? 1)) : Number.NaN
  if (!(value >= 1 && value <= MAX_WAIT_MS)) {
    throw usageError(
      `--wait needs a duration like 5s, 500ms, 2m or plain milliseconds, 1ms-60m, got ${JSON.stringify(text)}`,
    )
  }
  return value
}
