// One call to the API's /rng through pooled undici connections, with hard
// deadlines. Every way it can go wrong comes back as a value with a code,
// never as a throw: the page turns any of them into "RNG service unavailable!".
import { TIMEOUT } from 'node:dns/promises'
import { EventEmitter } from 'node:events'
import { Agent, type Dispatcher, interceptors } from 'undici'
import { API_DNS_TTL_MS, boundedLookup, type Resolve } from './api-dns.ts'
import type { RngFailureCode } from './errors.ts'

/** "42" is 2 bytes; anything near this cap is not a number 0-99. */
export const MAX_RNG_BODY_BYTES = 1024
/** Sockets to one API address: a slow API under load gets this many calls at once. */
export const RNG_CONNECTIONS = 64
/**
 * With RNG_CONNECTIONS, the bound on calls under way or waiting at once, whatever the number of
 * API addresses (320: with one address 64 run and 256 wait for a socket; with two, up to 128
 * run and the rest wait). Beyond it a call is "unavailable" at once: with a hung API each
 * waiting call held memory for RNG_API_TIMEOUT_MS (30k of them: 180 MB).
 */
export const MAX_WAITING_RNG_CALLS = 256

export type RngFailure = {
  readonly code: RngFailureCode
  readonly detail: string
  readonly status?: number
}

/** Set when the first attempt's connection closed before the answer and the call was retried. */
type Retried = { readonly retried?: RngFailure }

export type RngOutcome =
  | ({ readonly ok: true; readonly number: number } & Retried)
  | ({ readonly ok: false; readonly cause: RngFailure } & Retried)

export type RngClientOptions = {
  readonly url: URL
  /** Deadline for the whole call: connect, headers and body. */
  readonly timeoutMs: number
  readonly connectTimeoutMs: number
  /** How long one DNS answer is used; API_DNS_TTL_MS unless a test says otherwise. */
  readonly dnsTtlMs?: number
  /** Resolves the API's host name; the system's resolver unless a test gives its own. */
  readonly resolve?: Resolve
}

export type RngCallCounts = {
  /** Calls cancelled because the client that asked went away. */
  readonly cancelled: number
  /** Calls refused at once because RNG_CONNECTIONS + MAX_WAITING_RNG_CALLS were already under way or waiting. */
  readonly refused: number
  /** Calls under way or waiting for a socket right now. */
  readonly inFlight: number
  /** Calls sent a second time because their connection closed before any answer. */
  readonly retried: number
}

export type RngClient = {
  /** `signal` aborts the call, e.g. when the client that asked for it goes away. */
  readonly draw: (signal?: CallSignal) => Promise<RngOutcome>
  readonly counts: () => RngCallCounts
  readonly close: () => Promise<void>
}

/** The reason a call is aborted at its deadline; describeFailure knows it by name. */
class DeadlineError extends Error {
  constructor(timeoutMs: number) {
    super(`timeout after ${timeoutMs} ms`)
    this.name = 'TimeoutError'
  }
}

/**
 * Ends one call early: at its deadline, or when its client goes away. undici takes an
 * EventEmitter as a request's signal ('abort', then `reason`); an AbortController per call
 * with AbortSignal.timeout and AbortSignal.any cost more than the call's own work in the
 * web (each timeout signal fired a second later, call over or not, with an exception to build).
 */
export class CallSignal extends EventEmitter {
  reason: Error | undefined = undefined

  abort(reason: Error): void {
    if (this.reason !== undefined) return
    this.reason = reason
    this.emit('abort')
  }
}

function abortAtDeadline(signal: CallSignal, timeoutMs: number): void {
  signal.abort(new DeadlineError(timeoutMs))
}

/**
 * A connection closed under the request before the answer's head arrived: a keep-alive socket
 * the API closed as the request went out (its graceful shutdown, a rolling update) or an API
 * that died. The GET is idempotent and changed nothing the caller saw, so it is sent once more
 * (on a socket undici knows to be open, or a new one), within the same deadline. A refused
 * or timed-out connect is not retried: nothing closed under it, and the deadline runs on.
 */
const CLOSED_BEFORE_ANSWER = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])

export function createRngClient({
  url,
  timeoutMs,
  connectTimeoutMs,
  dnsTtlMs = API_DNS_TTL_MS,
  resolve,
}: RngClientOptions): RngClient {
  // One pool per address the name resolves to (the Agent keeps them, and drops a pool once
  // its connections have closed); the dns interceptor picks the address of each call.
  const agent = new Agent({
    connectTimeout: connectTimeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    maxResponseSize: MAX_RNG_BODY_BYTES,
    // A slow API under load gets a bounded number of sockets per address; the rest wait their
    // turn (draw() bounds them all), each still bounded by its own deadline.
    connections: RNG_CONNECTIONS,
  })
  const dispatcher: Dispatcher = agent.compose(
    interceptors.dns({ maxTTL: dnsTtlMs, lookup: boundedLookup(connectTimeoutMs, resolve) }),
  )
  const origin = new URL(url.origin)
  const path = `${url.pathname}${url.search}`
  let inFlight = 0
  let cancelled = 0
  let refused = 0
  let retried = 0

  async function draw(signal = new CallSignal()): Promise<RngOutcome> {
    if (signal.reason !== undefined) {
      cancelled += 1
      return fail('NUMBERS_ERR_RNG_CANCELLED', 'the client went away before the call')
    }
    if (inFlight >= RNG_CONNECTIONS + MAX_WAITING_RNG_CALLS) {
      refused += 1
      return fail('NUMBERS_ERR_RNG_BUSY', `${inFlight} calls already under way or waiting`)
    }
    inFlight += 1
    // headersTimeout and bodyTimeout each restart; the deadline bounds the call as a whole,
    // a retry included. A plain timer, cleared when the call ends: it almost never fires.
    const deadline = setTimeout(abortAtDeadline, timeoutMs, signal, timeoutMs)
    const ask = () =>
      dispatcher.request({
        origin,
        method: 'GET',
        path,
        headers: { accept: 'application/json' },
        signal,
      })
    let firstFailure: RngFailure | undefined
    try {
      let response: Awaited<ReturnType<typeof ask>>
      try {
        response = await ask()
      } catch (error) {
        const code = (error as { code?: string }).code ?? ''
        if (!CLOSED_BEFORE_ANSWER.has(code) || signal.reason !== undefined) throw error
        firstFailure = describeFailure(error, timeoutMs, connectTimeoutMs)
        retried += 1
        response = await ask()
      }
      const { statusCode, body } = response
      if (statusCode !== 200) {
        await body.dump().catch(() => {})
        return withRetry(fail('NUMBERS_ERR_RNG_STATUS', `status ${statusCode}`, statusCode))
      }
      const text = await body.text()
      const number = parseNumber(text)
      if (number === undefined) {
        return withRetry(fail('NUMBERS_ERR_RNG_BODY', `not an integer 0-99: ${preview(text)}`))
      }
      return withRetry({ ok: true, number })
    } catch (error) {
      const cause = describeFailure(error, timeoutMs, connectTimeoutMs)
      if (cause.code === 'NUMBERS_ERR_RNG_CANCELLED') cancelled += 1
      return withRetry({ ok: false, cause })
    } finally {
      clearTimeout(deadline)
      inFlight -= 1
    }

    function withRetry(outcome: RngOutcome): RngOutcome {
      return firstFailure ? { ...outcome, retried: firstFailure } : outcome
    }
  }

  return {
    draw,
    counts: () => ({ cancelled, refused, inFlight, retried }),
    close: () => dispatcher.close(),
  }
}

/** The API answers a bare JSON integer; `"7"`, `7.0`, `1e1` and `07` are not one. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim()
  if (!/^(?:0|[1-9][0-9]?)$/.test(trimmed)) return undefined
  return Number(trimmed)
}

function fail(code: RngFailureCode, detail: string, status?: number): RngOutcome {
  return { ok: false, cause: status === undefined ? { code, detail } : { code, detail, status } }
}

function preview(text: string): string {
  const shown = JSON.stringify(text.slice(0, 40))
  return text.length > 40 ? `${shown}... (${text.length} chars)` : shown
}

function describeFailure(error: unknown, timeoutMs: number, connectTimeoutMs: number): RngFailure {
  const { name, code, message } = error as { name?: string; code?: string; message?: string }
  switch (code) {
    case 'NUMBERS_ERR_RNG_CANCELLED':
      return { code, detail: 'the client went away' }
    case 'UND_ERR_CONNECT_TIMEOUT':
      return {
        code: 'NUMBERS_ERR_RNG_TIMEOUT',
        detail: `connect timeout after ${connectTimeoutMs} ms`,
      }
    case TIMEOUT:
      return {
        code: 'NUMBERS_ERR_RNG_TIMEOUT',
        detail: `DNS lookup over ${connectTimeoutMs} ms`,
      }
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { code: 'NUMBERS_ERR_RNG_TIMEOUT', detail: `timeout after ${timeoutMs} ms (${code})` }
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return {
        code: 'NUMBERS_ERR_RNG_TOO_LARGE',
        detail: `body over ${MAX_RNG_BODY_BYTES} bytes`,
      }
  }
  if (name === 'TimeoutError') {
    return { code: 'NUMBERS_ERR_RNG_TIMEOUT', detail: `timeout after ${timeoutMs} ms` }
  }
  return {
    code: 'NUMBERS_ERR_RNG_UNREACHABLE',
    detail: `${code ?? name ?? 'Error'}: ${message ?? String(error)}`,
  }
}
