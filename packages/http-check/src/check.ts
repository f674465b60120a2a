// One HTTP check: a GET with a hard deadline over DNS, connect, TLS, headers
// and body, judged by status. Network failures come back as values, never
// thrown, so a caller (the CLI, the web's readiness probe) only formats results.
//
// One file on purpose: each ES module in the CLI's graph is one more file to
// read, compile and link on every check, and a check runs every few seconds in
// every container (a first cut of 11 small modules cost ~1.5 MB more peak RSS
// than these 2). Sections below keep the jobs apart.
import type { LookupAddress } from 'node:dns'
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http'
import type { LookupFunction } from 'node:net'

/** A constant, not a read of package.json at start-up; a test keeps the two in step. */
export const VERSION = '1.0.0'
export const DEFAULT_TIMEOUT_MS = 1000
/** Enough to see that a body arrives; a health check has no use for more. */
export const MAX_BODY_BYTES = 4096

export type StatusRange = { readonly from: number; readonly to: number }

/** 200-399, as Kubernetes' httpGet probe and `curl -f` judge: a redirect is an answer. */
export const DEFAULT_EXPECT: readonly StatusRange[] = [{ from: 200, to: 399 }]

export type CheckOptions = {
  /** Hard deadline for the whole attempt, DNS to last body byte; 1000 ms by default. */
  readonly timeoutMs?: number
  /** Statuses that count as healthy; 200-399 by default. */
  readonly expect?: readonly StatusRange[]
  /** Ends the attempt early (e.g. on shutdown); it then fails with code ABORTED. */
  readonly signal?: AbortSignal
}

export type Timings = {
  /** When the TCP connection was up, from the start of the attempt. */
  readonly connectMs?: number
  /** When the response headers had arrived. */
  readonly headersMs?: number
}

export type ResponseSummary = {
  readonly httpVersion: string
  readonly statusText: string
  /** Name, value, name, value... as received. */
  readonly rawHeaders: readonly string[]
  /** Bytes of body read (and discarded), at most MAX_BODY_BYTES. */
  readonly bodyBytes: number
}

type ResultBase = {
  readonly url: string
  readonly elapsedMs: number
  /** The address that answered, e.g. `127.0.0.1:3000` or `[::1]:3000`. */
  readonly remoteAddress?: string
  readonly timings: Timings
  readonly response?: ResponseSummary
}

export type CheckSuccess = ResultBase & { readonly ok: true; readonly status: number }

export type CheckFailure = ResultBase & {
  readonly ok: false
  /** ECONNREFUSED, ENOTFOUND, ECONNRESET... as Node names them, or TIMEOUT, BAD_STATUS, BAD_URL, ABORTED. */
  readonly code: string
  /** The cause in a few words, the important part first. */
  readonly reason: string
  readonly status?: number
}

export type CheckResult = CheckSuccess | CheckFailure

// ---------------------------------------------------------------- the check

type Phase = 'resolving' | 'connecting' | 'tls' | 'headers' | 'body'
type Outcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly reason: string }

const phaseWords: Record<Phase, string> = {
  resolving: 'resolving the host',
  connecting: 'connecting',
  tls: 'in the TLS handshake',
  headers: 'waiting for response headers',
  body: 'reading the body',
}

export function check(url: string | URL, options: CheckOptions = {}): Promise<CheckResult> {
  const target = parseTarget(url)
  if (typeof target === 'string') {
    const failure: CheckFailure = {
      ok: false,
      url: String(url),
      code: 'BAD_URL',
      reason: target,
      elapsedMs: 0,
      timings: {},
    }
    return Promise.resolve(failure)
  }
  // Before the clock starts: loading https (and TLS) can outlast a short deadline,
  // and that is not the server's fault.
  const transport = transportFor(target)
  const startedAt = nowMs()
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const expect = options.expect ?? DEFAULT_EXPECT

  return new Promise<CheckResult>((resolve) => {
    const sinceStart = () => nowMs() - startedAt
    const timings: { connectMs?: number; headersMs?: number } = {}
    let phase: Phase = isIpLiteral(target.hostname) ? 'connecting' : 'resolving'
    let remoteAddress: string | undefined
    let response: IncomingMessage | undefined
    let bodyBytes = 0
    let request: ClientRequest | undefined
    let settled = false

    const finish = (outcome: Outcome) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      options.signal?.removeEventListener('abort', onAbort)
      request?.destroy()
      const base = {
        url: target.href,
        elapsedMs: sinceStart(),
        timings,
        ...(remoteAddress === undefined ? {} : { remoteAddress }),
        ...(response === undefined ? {} : { response: summarise(response, bodyBytes) }),
      }
      const status = response?.statusCode
      if (outcome.ok && status !== undefined) resolve({ ...base, ok: true, status })
      else if (outcome.ok) resolve({ ...base, ok: false, code: 'ERROR', reason: 'no response' })
      else resolve({ ...base, ...outcome, ...(status === undefined ? {} : { status }) })
    }
    const fail = (error: unknown) => finish({ ok: false, ...describeError(error) })

    const onAbort = () => finish({ ok: false, code: 'ABORTED', reason: 'aborted' })
    const deadline = setTimeout(() => {
      finish({
        ok: false,
        code: 'TIMEOUT',
        reason: `timeout after ${timeoutMs} ms ${phaseWords[phase]}`,
      })
    }, timeoutMs)

    const onResponse = (answer: IncomingMessage) => {
      response = answer
      timings.headersMs = sinceStart()
      const status = answer.statusCode ?? 0
      // A wrong status is the whole story; its body would only delay the verdict.
      if (!isExpected(status, expect)) {
        finish({ ok: false, code: 'BAD_STATUS', reason: `bad status ${status}` })
        return
      }
      phase = 'body'
      answer.on('data', (chunk: Buffer) => {
        bodyBytes = Math.min(bodyBytes + chunk.length, MAX_BODY_BYTES)
        if (bodyBytes >= MAX_BODY_BYTES) finish({ ok: true })
      })
      answer.on('end', () => finish({ ok: true }))
      answer.on('error', fail)
      answer.on('close', () => {
        if (!answer.complete) {
          finish({ ok: false, code: 'ECONNRESET', reason: 'reset: connection closed mid-body' })
        }
      })
    }

    try {
      request = send(transport, target, onResponse)
    } catch (error) {
      // http.request throws for what it cannot send at all (e.g. a bad header); still a value.
      fail(error)
      return
    }
    request.on('error', fail)
    request.on('socket', (socket) => {
      socket.once('lookup', () => {
        if (phase === 'resolving') phase = 'connecting'
      })
      socket.once('connect', () => {
        timings.connectMs = sinceStart()
        remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort)
        phase = target.protocol === 'https:' ? 'tls' : 'headers'
      })
      socket.once('secureConnect', () => {
        phase = 'headers'
      })
    })
    if (options.signal?.aborted) {
      onAbort()
      return
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    request.end()
  })
}

/** The URL, or why it cannot be checked. */
function parseTarget(url: string | URL): URL | string {
  const target = typeof url === 'string' ? URL.parse(url) : url
  if (target === null) return `not a URL: ${JSON.stringify(String(url))}`
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return `not an http:// or https:// URL: ${JSON.stringify(target.href)}`
  }
  return target
}

type Transport = Pick<typeof import('node:http'), 'request'>

// getBuiltinModule, not `import`: an ESM import of node:http evaluates its lazy
// WebSocket getter, which loads undici (+14 MB RSS, +50 ms). https (and with it
// TLS) loads only for https URLs.
function transportFor(target: URL): Transport {
  return target.protocol === 'https:'
    ? process.getBuiltinModule('node:https')
    : process.getBuiltinModule('node:http')
}

function send(
  transport: Transport,
  target: URL,
  onResponse: (response: IncomingMessage) => void,
): ClientRequest {
  // autoSelectFamily (happy eyeballs) reaches net.connect, though the http types omit it.
  const options: RequestOptions & { autoSelectFamily: boolean } = {
    method: 'GET',
    // A fresh connection each time and no keep-alive: the check sees what a new client sees.
    agent: false,
    autoSelectFamily: true,
    headers: { 'user-agent': `http-check/${VERSION}`, connection: 'close', accept: '*/*' },
    ...(isLoopbackName(target.hostname) ? { lookup: lookupLoopback } : {}),
  }
  return transport.request(target, options, onResponse)
}

function summarise(response: IncomingMessage, bodyBytes: number): ResponseSummary {
  return {
    httpVersion: response.httpVersion,
    statusText: response.statusMessage ?? '',
    rawHeaders: response.rawHeaders,
    bodyBytes,
  }
}

function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname)
}

function formatAddress(address: string | undefined, port: number | undefined): string | undefined {
  if (address === undefined) return undefined
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}

/**
 * Milliseconds on a monotonic clock. Not performance.now(): the first touch of
 * the `performance` global loads perf_hooks and a dozen modules at start-up.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

// ---------------------------------------------------------------- localhost

// `localhost` means loopback, both families, whatever /etc/hosts says (RFC 6761;
// curl does the same). Many hosts list only `127.0.0.1 localhost`, others put
// ::1 first, and a server may listen on either one alone (wait-on #109, #133).
// Handing both addresses to Node's happy-eyeballs connect makes every case work:
// a refused loopback address fails in well under a millisecond.

const loopbackAddresses: readonly LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
]

export function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost')
}

/** A `lookup` for http.request that answers loopback names without asking the resolver. */
export const lookupLoopback = ((_hostname, options, callback) => {
  const requested = typeof options === 'object' ? options.family : options
  const family = requested === 'IPv4' ? 4 : requested === 'IPv6' ? 6 : requested
  const addresses = loopbackAddresses.filter(
    (entry) => family === undefined || family === 0 || family === entry.family,
  )
  if (typeof options === 'object' && options.all) {
    process.nextTick(callback, null, addresses)
    return
  }
  const first = addresses[0] ?? { address: '127.0.0.1', family: 4 }
  process.nextTick(callback, null, first.address, first.family)
}) as LookupFunction

// ---------------------------------------------------------------- statuses

export function isExpected(status: number, expect: readonly StatusRange[]): boolean {
  return expect.some((range) => status >= range.from && status <= range.to)
}

/** `200,204`, `200-299` or `2xx` as ranges; undefined when any part is none of those. */
export function parseExpect(text: string): StatusRange[] | undefined {
  const ranges: StatusRange[] = []
  for (const part of text.split(',')) {
    const range = parseStatusRange(part.trim())
    if (range === undefined) return undefined
    ranges.push(range)
  }
  return ranges
}

export function describeExpect(expect: readonly StatusRange[]): string {
  return expect
    .map((range) => (range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`))
    .join(',')
}

function parseStatusRange(part: string): StatusRange | undefined {
  const family = /^([1-5])xx$/i.exec(part)
  if (family) return { from: Number(family[1]) * 100, to: Number(family[1]) * 100 + 99 }
  const span = /^(\d{3})(?:-(\d{3}))?$/.exec(part)
  if (!span) return undefined
  const from = Number(span[1])
  const to = Number(span[2] ?? span[1])
  if (from < 100 || to > 599 || from > to) return undefined
  return { from, to }
}

// ---------------------------------------------------------------- words

type NetworkError = Error & {
  code?: string
  syscall?: string
  hostname?: string
  errors?: unknown[]
}

/** A network error in the words of a result line: the real cause first, never a stack. */
export function describeError(error: unknown): { code: string; reason: string } {
  if (!(error instanceof Error)) return { code: 'ERROR', reason: oneLine(String(error)) }
  const failure = error as NetworkError
  // Happy eyeballs tried several addresses: name each, they may fail differently.
  if (Array.isArray(failure.errors) && failure.errors.length > 0) {
    const causes = failure.errors.map(describeError)
    return {
      code: causes[0]?.code ?? failure.code ?? 'ERROR',
      reason: joinReasons(causes.map((cause) => cause.reason)),
    }
  }
  const code = failure.code ?? 'ERROR'
  if (failure.syscall === 'getaddrinfo') {
    return { code, reason: `dns ${code} ${failure.hostname ?? ''}`.trimEnd() }
  }
  if (failure.message === 'socket hang up') {
    return { code, reason: `reset: connection closed before the response (${code})` }
  }
  if (code.startsWith('HPE_')) {
    return { code, reason: `bad response: ${oneLine(failure.message)} (${code})` }
  }
  // OpenSSL's words hide behind a library path: keep the part that says what went wrong.
  const openssl = /SSL routines:[^:]*:([^:]+)/.exec(failure.message)?.[1]
  if (openssl !== undefined) return { code, reason: `tls ${code}: ${openssl}` }
  // Node's own words for a failed system call already lead with the cause:
  // `connect ECONNREFUSED 10.0.0.3:80`, `read ECONNRESET`.
  if (failure.syscall !== undefined) return { code, reason: oneLine(failure.message) }
  if (code.startsWith('ERR_SSL') || code.includes('CERT') || /TLS|SSL/.test(failure.message)) {
    // Node appends advice after a `;` (e.g. --use-system-ca); the cause comes first.
    return { code, reason: `tls ${code}: ${oneLine(failure.message.split(';')[0] ?? '')}` }
  }
  return { code, reason: `${code} ${oneLine(failure.message)}` }
}

/** `connect ECONNREFUSED 127.0.0.1:80, connect ECONNREFUSED ::1:80` → `connect ECONNREFUSED 127.0.0.1:80, ::1:80`. */
function joinReasons(reasons: readonly string[]): string {
  const distinct = [...new Set(reasons)]
  const lead = /^(\S+ \S+) /.exec(distinct[0] ?? '')?.[1]
  if (lead === undefined || !distinct.every((reason) => reason.startsWith(`${lead} `))) {
    return distinct.join(', ')
  }
  return `${lead} ${distinct.map((reason) => reason.slice(lead.length + 1)).join(', ')}`
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/**
 * The words of a result, shared by the CLI's line and the web's logs:
 * `ok 200 http://localhost/health 3ms`, `fail http://numbers-api/rng: bad status 500 after 2ms`.
 */
export function formatResult(result: CheckResult): string {
  const elapsed = `${Math.round(result.elapsedMs)}ms`
  if (result.ok) return `ok ${result.status} ${result.url} ${elapsed}`
  // A timeout already says how long it waited.
  if (result.code === 'TIMEOUT') return `fail ${result.url}: ${result.reason}`
  return `fail ${result.url}: ${result.reason} after ${elapsed}`
}
