// What every check returns: a value, never a throw, whatever the target kind.
import type { FailureCode } from './errors.ts'

type Timings = {
  /** When the TCP connection was up, from the start of the attempt. */
  readonly connectMs?: number
  /** When the response headers had arrived. */
  readonly headersMs?: number
}

type ResponseSummary = {
  readonly httpVersion: string
  /** As received: print it through printable(), a server chooses these bytes. */
  readonly statusText: string
  /** Name, value, name, value... as received. */
  readonly rawHeaders: readonly string[]
  /** Bytes of body read (and discarded), at most MAX_BODY_BYTES. */
  readonly bodyBytes: number
}

type ResultBase = {
  /**
   * What was checked, as printed: a URL with any user:password hidden,
   * `tcp://host:port`, `cert PATH` or `file PATH`.
   */
  readonly url: string
  readonly elapsedMs: number
  /** The address that answered, e.g. `127.0.0.1:3000` or `[::1]:3000`. */
  readonly remoteAddress?: string
  readonly timings: Timings
  readonly response?: ResponseSummary
}

type CheckSuccess = ResultBase & {
  readonly ok: true
  /** The HTTP status; absent for a target that is not HTTP. */
  readonly status?: number
  /** What else a healthy target says, e.g. a certificate's subject and days left. */
  readonly detail?: string
}

type CheckFailure = ResultBase & {
  readonly ok: false
  /** One of http-check's own (errors.ts), or Node's: ECONNREFUSED, ENOTFOUND, ECONNRESET... */
  readonly code: string
  /** The cause in a few words, the important part first. */
  readonly reason: string
  readonly status?: number
}

export type CheckResult = CheckSuccess | CheckFailure

export function failure(
  url: string,
  code: FailureCode,
  reason: string,
  elapsedMs = 0,
): CheckFailure {
  return { ok: false, url, code, reason, elapsedMs, timings: {} }
}
