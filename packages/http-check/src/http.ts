// One HTTP check: a GET with a hard deadline over DNS, connect, TLS, headers and
// body, judged by status. The request is written by hand on a node:net (or
// node:tls) socket; see http-response.ts for why. Proxies from the environment
// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) are never used: a check talks to its target.
import { parseUrl } from '@numbers/config/parse'
import { type ResponseHead, type ResponseReader, readResponse } from './http-response.ts'
import { displayUrl } from './output.ts'
import { type CheckResult, failure } from './result.ts'
import { DEFAULT_EXPECT, isExpected, type StatusRange } from './status.ts'
import { type AttemptOptions, attempt } from './tcp.ts'

/** A constant, not a read of package.json at start-up; a test keeps the two in step. */
export const VERSION = '1.0.0'

export type CheckOptions = AttemptOptions & {
  /** Statuses that count as healthy; 200-399 by default. */
  readonly expect?: readonly StatusRange[]
  /** Extra request headers, `[name, value]`; one with a default's name replaces it. */
  readonly headers?: readonly (readonly [string, string])[]
  /** https only: PEM of the CAs to trust instead of the system's. */
  readonly ca?: string
  /** https only: accept any certificate (`--insecure`). */
  readonly insecure?: boolean
}

export function check(url: string | URL, options: CheckOptions = {}): Promise<CheckResult> {
  const target = typeof url === 'string' ? parseUrl(url, ['http:', 'https:']) : url
  if (target === undefined || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
    const parsed = typeof url === 'string' ? URL.parse(url) : url
    const shown = parsed === null ? url.toString() : displayUrl(parsed)
    const reason = `not an http:// or https:// URL: ${JSON.stringify(shown)}`
    return Promise.resolve(failure(shown, 'BAD_URL', reason))
  }
  const expect = options.expect ?? DEFAULT_EXPECT
  const tls =
    target.protocol === 'https:'
      ? {
          ALPNProtocols: ['http/1.1'],
          rejectUnauthorized: options.insecure !== true,
          ...(options.ca === undefined ? {} : { ca: options.ca }),
        }
      : undefined
  return attempt(
    target,
    displayUrl(target),
    { ...options, ...(tls ? { tls } : {}) },
    (connection) => {
      let head: ResponseHead | undefined
      const summary = () =>
        head === undefined
          ? {}
          : {
              status: head.status,
              response: {
                httpVersion: head.httpVersion,
                statusText: head.statusText,
                rawHeaders: head.rawHeaders,
                bodyBytes: reader.bodyBytes(),
              },
            }
      connection.learnt = summary
      const reader = readResponse({
        onHead: (received) => {
          head = received
          connection.timings.headersMs = connection.sinceStart()
          // A wrong status is the whole story; waiting for its body would only delay the
          // verdict, but what of it came with the head says why (docker inspect shows it).
          if (!isExpected(received.status, expect)) {
            const why = whyOf(received, reader)
            const reason = `bad status ${received.status}${why === undefined ? '' : `: ${why}`}`
            connection.finish({ ok: false, code: 'BAD_STATUS', reason })
            return false
          }
          connection.phase = 'body'
          return true
        },
        onBody: () => connection.finish({ ok: true, status: head?.status ?? 0 }),
        onError: (code, reason) => connection.finish({ ok: false, code, reason }),
      })
      const socket = connection.socket
      socket.on('data', reader.push)
      socket.on('end', reader.end)
      socket.on('close', reader.end)
      // Sockets buffer what is written before they connect. No half-close after it:
      // some servers take an early FIN as a client that went away.
      socket.write(request(target, options.headers ?? []), 'latin1')
    },
  )
}

/** Longest cause quoted from a body; the line stays one line of a log. */
const MAX_WHY_CHARS = 200

/**
 * The cause a failed answer gives, from the part of its body already received: the
 * `detail` of an RFC 9457 problem+json (or any JSON body with one).
 */
function whyOf(head: ResponseHead, reader: ResponseReader): string | undefined {
  let type = ''
  let chunked = false
  for (let at = 0; at < head.rawHeaders.length; at += 2) {
    const name = head.rawHeaders[at]?.toLowerCase()
    const value = head.rawHeaders[at + 1] ?? ''
    if (name === 'content-type') type = value
    if (name === 'transfer-encoding') chunked = /chunked\s*$/i.test(value)
  }
  const start = reader.buffered().subarray(0, 4096)
  const text = (chunked ? unchunk(start) : start).toString('utf8')
  let why: string | undefined
  if (/^application\/(problem\+)?json\b/i.test(type)) {
    const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)
    try {
      const detail = (JSON.parse(json) as { detail?: unknown }).detail
      if (typeof detail === 'string') why = detail
    } catch {
      // Cut off or not JSON after all: no cause to quote.
    }
  }
  why = why?.trim()
  if (why === undefined || why === '') return undefined
  return why.length > MAX_WHY_CHARS ? `${why.slice(0, MAX_WHY_CHARS - 1)}…` : why
}

/** The data of the complete chunks in `bytes` (chunked transfer coding), in order. */
function unchunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const end = bytes.indexOf('\r\n', at)
    const size = end < 0 ? 0 : Number.parseInt(bytes.subarray(at, end).toString('latin1'), 16)
    if (!(size > 0) || end + 2 + size > bytes.length) return Buffer.concat(parts)
    parts.push(bytes.subarray(end + 2, end + 2 + size))
    at = end + 2 + size + 2
  }
}

function request(url: URL, extra: readonly (readonly [string, string])[]): string {
  const headers = new Map<string, [string, string]>([
    ['host', ['Host', url.host]],
    ['user-agent', ['User-Agent', `http-check/${VERSION}`]],
    ['accept', ['Accept', '*/*']],
    ['connection', ['Connection', 'close']],
  ])
  if (url.username !== '' || url.password !== '') {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
    headers.set('authorization', [
      'Authorization',
      `Basic ${Buffer.from(credentials).toString('base64')}`,
    ])
  }
  for (const [name, value] of extra) headers.set(name.toLowerCase(), [name, value])
  const lines = [...headers.values()].map(([name, value]) => `${name}: ${value}\r\n`)
  return `GET ${url.pathname}${url.search} HTTP/1.1\r\n${lines.join('')}\r\n`
}
