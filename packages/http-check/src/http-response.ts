// Reads an HTTP/1.1 response off a socket: the status line, the headers, and
// just enough of the body to know it arrives (framed by Content-Length, chunked
// coding or the end of the connection). Written here, not taken from node:http,
// because loading node:http costs a check ~15% more start-up than node:net alone.
import type { FailureCode } from './errors.ts'

/** Enough to see that a body arrives; a health check has no use for more. */
export const MAX_BODY_BYTES = 4096
/** Larger heads are refused, as node:http's parser does (16 KiB). */
const MAX_HEAD_BYTES = 16 * 1024

export type ResponseHead = {
  readonly httpVersion: string
  readonly status: number
  readonly statusText: string
  readonly rawHeaders: readonly string[]
}

type ResponseEvents = {
  /** The final head (1xx interim responses are skipped); false stops reading. */
  readonly onHead: (head: ResponseHead) => boolean
  /** The body is complete, or MAX_BODY_BYTES of it arrived. */
  readonly onBody: (bodyBytes: number) => void
  readonly onError: (code: string, reason: string) => void
}

type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; remaining: number }
  | { readonly kind: 'chunked'; remaining: number; state: 'size' | 'data' | 'crlf' }
  | { readonly kind: 'close' }

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export type ResponseReader = {
  readonly push: (chunk: Buffer) => void
  /** The server closed the connection. */
  readonly end: () => void
  readonly bodyBytes: () => number
  readonly sawHead: () => boolean
  /** What has arrived after the head and is not read yet: the start of the body. */
  readonly buffered: () => Buffer
}

export function readResponse(events: ResponseEvents): ResponseReader {
  let pending: Buffer = Buffer.alloc(0)
  let framing: Framing | undefined
  let bodyBytes = 0
  let done = false

  const stop = (code: FailureCode | 'ECONNRESET', reason: string) => {
    done = true
    events.onError(code, reason)
  }
  const complete = () => {
    done = true
    events.onBody(bodyBytes)
  }
  const countBody = (bytes: number) => {
    bodyBytes = Math.min(bodyBytes + bytes, MAX_BODY_BYTES)
    if (bodyBytes >= MAX_BODY_BYTES) complete()
  }

  const readHead = (): boolean => {
    const end = pending.indexOf('\r\n\r\n')
    if (end < 0) {
      if (pending.length > MAX_HEAD_BYTES) stop('BAD_RESPONSE', 'bad response: headers too large')
      return false
    }
    const lines = pending.subarray(0, end).toString('latin1').split('\r\n')
    pending = pending.subarray(end + 4)
    const statusLine = /^HTTP\/(1\.[01]) (\d{3})(?: ([^\r\n]*))?$/.exec(lines[0] ?? '')
    if (statusLine === null) {
      stop('BAD_RESPONSE', 'bad response: not an HTTP/1.x status line')
      return false
    }
    const status = Number(statusLine[2])
    const rawHeaders: string[] = []
    let length: number | undefined
    let chunked = false
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':')
      const name = line.slice(0, colon)
      if (colon <= 0 || !TOKEN.test(name) || /[\0\r\n]/.test(line)) {
        stop('BAD_RESPONSE', 'bad response: malformed header line')
        return false
      }
      const value = line.slice(colon + 1).trim()
      rawHeaders.push(name, value)
      const lower = name.toLowerCase()
      if (lower === 'transfer-encoding') chunked = /(^|,)\s*chunked\s*$/i.test(value)
      if (lower === 'content-length') {
        const parsed = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN
        if (Number.isNaN(parsed) || (length !== undefined && length !== parsed)) {
          stop('BAD_RESPONSE', 'bad response: invalid Content-Length')
          return false
        }
        length = parsed
      }
    }
    // Interim answers (100 Continue, 103 Early Hints) precede the real one.
    if (status >= 100 && status < 200 && status !== 101) return true
    framing =
      status === 204 || status === 304 || status < 200
        ? { kind: 'none' }
        : chunked
          ? { kind: 'chunked', remaining: 0, state: 'size' }
          : length !== undefined
            ? { kind: 'length', remaining: length }
            : { kind: 'close' }
    const head = {
      httpVersion: statusLine[1] ?? '1.1',
      status,
      statusText: statusLine[3] ?? '',
      rawHeaders,
    }
    if (!events.onHead(head)) {
      done = true
      return false
    }
    return true
  }

  const readBody = () => {
    if (framing === undefined) return
    if (framing.kind === 'none' || (framing.kind === 'length' && framing.remaining === 0)) {
      complete()
      return
    }
    if (framing.kind === 'close') {
      countBody(pending.length)
      pending = Buffer.alloc(0)
      return
    }
    if (framing.kind === 'length') {
      const take = Math.min(framing.remaining, pending.length)
      framing.remaining -= take
      pending = pending.subarray(take)
      countBody(take)
      if (!done && framing.remaining === 0) complete()
      return
    }
    while (!done && pending.length > 0) {
      if (framing.state === 'size') {
        const end = pending.indexOf('\r\n')
        if (end < 0) {
          if (pending.length > 1024) stop('BAD_RESPONSE', 'bad response: invalid chunk size')
          return
        }
        const size = /^([0-9a-fA-F]{1,8})(;.*)?$/.exec(pending.subarray(0, end).toString('latin1'))
        if (size === null) {
          stop('BAD_RESPONSE', 'bad response: invalid chunk size')
          return
        }
        pending = pending.subarray(end + 2)
        framing.remaining = Number.parseInt(size[1] ?? '0', 16)
        // The last chunk: the body is complete (trailers, if any, are of no interest).
        if (framing.remaining === 0) {
          complete()
          return
        }
        framing.state = 'data'
      } else if (framing.state === 'data') {
        const take = Math.min(framing.remaining, pending.length)
        framing.remaining -= take
        pending = pending.subarray(take)
        countBody(take)
        if (framing.remaining === 0) framing.state = 'crlf'
      } else {
        if (pending.length < 2) return
        pending = pending.subarray(2)
        framing.state = 'size'
      }
    }
  }

  return {
    push: (chunk) => {
      if (done) return
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      while (!done && framing === undefined) {
        if (!readHead()) return
      }
      if (!done) readBody()
    },
    end: () => {
      if (done) return
      if (framing?.kind === 'close') complete()
      else if (framing === undefined) {
        stop('ECONNRESET', 'reset: connection closed before the response (ECONNRESET)')
      } else stop('ECONNRESET', 'reset: connection closed mid-body')
    },
    bodyBytes: () => bodyBytes,
    sawHead: () => framing !== undefined,
    buffered: () => pending,
  }
}
