// Opening a connection, for `tcp://HOST:PORT` and as the first step of every
// HTTP check: a hard deadline, the phase it was in, the address that answered.
// node:net only (no node:http): what a check loads decides what it costs.
import type { Socket } from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import { nowMs } from './clock.ts'
import { describeError } from './errors.ts'
import { isLoopbackName, lookupLoopback } from './localhost.ts'
import type { CheckResult, Timings } from './result.ts'

export const DEFAULT_TIMEOUT_MS = 1000

export type Phase = 'resolving' | 'connecting' | 'tls' | 'headers' | 'body'

const phaseWords: Record<Phase, string> = {
  resolving: 'resolving the host',
  connecting: 'connecting',
  tls: 'in the TLS handshake',
  headers: 'waiting for response headers',
  body: 'reading the body',
}

export type AttemptOptions = {
  /** Hard deadline for the whole attempt; 1000 ms by default. */
  readonly timeoutMs?: number
  /** Ends the attempt early (e.g. on shutdown); it then fails with code ABORTED. */
  readonly signal?: AbortSignal
}

export type Connection = {
  readonly socket: Socket
  readonly sinceStart: () => number
  /** Where the attempt is, for a timeout's words. */
  phase: Phase
  /** Ends the attempt with a result built from `fields`; later calls do nothing. */
  readonly finish: (fields: Outcome) => void
  readonly fail: (error: unknown) => void
  readonly timings: { connectMs?: number; headersMs?: number }
  /** What the protocol learnt so far (a status, headers), added to any result, a timeout's too. */
  learnt?: () => Partial<CheckResult>
}

export type Outcome =
  | { readonly ok: true; readonly status?: number }
  | { readonly ok: false; readonly code: string; readonly reason: string }

/**
 * Connects to `url`'s host and port (TLS when `tls` is given) and hands the
 * connection to `use`; resolves with the result `use` finishes with, or a
 * timeout, an abort or the connection's error.
 */
export function attempt(
  url: URL,
  shownAs: string,
  options: AttemptOptions & { readonly tls?: ConnectionOptions },
  use: (connection: Connection) => void,
): Promise<CheckResult> {
  const net = process.getBuiltinModule('node:net')
  // Before the clock starts: loading TLS can outlast a short deadline, and that is not the server's fault.
  const tls = options.tls === undefined ? undefined : process.getBuiltinModule('node:tls')
  const startedAt = nowMs()
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))

  return new Promise<CheckResult>((resolve) => {
    const timings: Timings & { connectMs?: number; headersMs?: number } = {}
    let remoteAddress: string | undefined
    let settled = false
    const connectOptions = {
      host,
      port,
      autoSelectFamily: true,
      ...(isLoopbackName(host) ? { lookup: lookupLoopback } : {}),
    }
    let socket: Socket
    try {
      socket =
        tls === undefined
          ? net.connect(connectOptions)
          : tls.connect({
              ...connectOptions,
              ...options.tls,
              ...(net.isIP(host) === 0 ? { servername: host } : {}),
            })
    } catch (error) {
      // What cannot be tried at all (port 0, say) is still a value.
      resolve({ ok: false, url: shownAs, ...describeError(error), elapsedMs: 0, timings })
      return
    }
    const connection: Connection = {
      socket,
      sinceStart: () => nowMs() - startedAt,
      phase: net.isIP(host) === 0 ? 'resolving' : 'connecting',
      timings,
      finish: (outcome) => {
        if (settled) return
        settled = true
        clearTimeout(deadline)
        options.signal?.removeEventListener('abort', onAbort)
        socket.destroy()
        const base = {
          url: shownAs,
          elapsedMs: nowMs() - startedAt,
          timings,
          ...(remoteAddress === undefined ? {} : { remoteAddress }),
          ...connection.learnt?.(),
        }
        if (outcome.ok) {
          resolve({
            ...base,
            ok: true,
            ...(outcome.status === undefined ? {} : { status: outcome.status }),
          })
        } else {
          resolve({ ...base, ok: false, code: outcome.code, reason: outcome.reason })
        }
      },
      fail: (error) => connection.finish({ ok: false, ...describeError(error) }),
    }
    const onAbort = () => connection.finish({ ok: false, code: 'ABORTED', reason: 'aborted' })
    const deadline = setTimeout(() => {
      const reason = `timeout after ${timeoutMs} ms ${phaseWords[connection.phase]}`
      connection.finish({ ok: false, code: 'TIMEOUT', reason })
    }, timeoutMs)
    socket.on('error', connection.fail)
    socket.once('lookup', () => {
      if (connection.phase === 'resolving') connection.phase = 'connecting'
    })
    socket.once('connect', () => {
      timings.connectMs = nowMs() - startedAt
      remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort)
      connection.phase = tls === undefined ? 'headers' : 'tls'
    })
    socket.once('secureConnect', () => {
      connection.phase = 'headers'
    })
    if (options.signal?.aborted) {
      onAbort()
      return
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    use(connection)
  })
}

/** `tcp://HOST:PORT`: healthy when a connection opens in time. Nothing is sent. */
export function checkTcp(url: URL, options: AttemptOptions = {}): Promise<CheckResult> {
  return attempt(url, `tcp://${url.host}`, options, (connection) => {
    connection.socket.once('connect', () => connection.finish({ ok: true }))
  })
}

function formatAddress(address: string | undefined, port: number | undefined): string | undefined {
  if (address === undefined) return undefined
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}
