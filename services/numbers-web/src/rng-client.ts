// One call to the API's /rng through a pooled undici client, with hard
// deadlines. Every way it can go wrong comes back as a value with a code,
// never as a throw: the page turns any of them into "RNG service unavailable!".
import { Pool } from 'undici'

/** "42" is 2 bytes; anything near this cap is not a number 0-99. */
export const MAX_RNG_BODY_BYTES = 1024

export type RngFailureCode =
  | 'NUMBERS_ERR_RNG_TIMEOUT'
  | 'NUMBERS_ERR_RNG_UNREACHABLE'
  | 'NUMBERS_ERR_RNG_STATUS'
  | 'NUMBERS_ERR_RNG_BODY'
  | 'NUMBERS_ERR_RNG_TOO_LARGE'

export type RngFailure = {
  readonly code: RngFailureCode
  readonly detail: string
  readonly status?: number
}

export type RngOutcome =
  | { readonly ok: true; readonly number: number }
  | { readonly ok: false; readonly cause: RngFailure }

export type RngClientOptions = {
  readonly url: URL
  /** Deadline for the whole call: connect, headers and body. */
  readonly timeoutMs: number
  readonly connectTimeoutMs: number
}

export type RngClient = {
  readonly draw: () => Promise<RngOutcome>
  readonly close: () => Promise<void>
}

export function createRngClient({ url, timeoutMs, connectTimeoutMs }: RngClientOptions): RngClient {
  const pool = new Pool(url.origin, {
    connectTimeout: connectTimeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    maxResponseSize: MAX_RNG_BODY_BYTES,
    // A slow API under load gets a bounded number of sockets; the rest wait their turn,
    // each still bounded by its own deadline.
    connections: 64,
  })
  const path = `${url.pathname}${url.search}`

  async function draw(): Promise<RngOutcome> {
    try {
      const { statusCode, body } = await pool.request({
        method: 'GET',
        path,
        headers: { accept: 'application/json' },
        // headersTimeout and bodyTimeout each restart; this bounds the call as a whole.
        signal: AbortSignal.timeout(timeoutMs),
      })
      if (statusCode !== 200) {
        await body.dump().catch(() => {})
        return fail('NUMBERS_ERR_RNG_STATUS', `status ${statusCode}`, statusCode)
      }
      const text = await body.text()
      const number = parseNumber(text)
      if (number === undefined) {
        return fail('NUMBERS_ERR_RNG_BODY', `not an integer 0-99: ${preview(text)}`)
      }
      return { ok: true, number }
    } catch (error) {
      return { ok: false, cause: describeFailure(error, timeoutMs, connectTimeoutMs) }
    }
  }

  return { draw, close: () => pool.close() }
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
    case 'UND_ERR_CONNECT_TIMEOUT':
      return {
        code: 'NUMBERS_ERR_RNG_TIMEOUT',
        detail: `connect timeout after ${connectTimeoutMs} ms`,
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
