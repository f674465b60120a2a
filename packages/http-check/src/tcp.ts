// Opening a connection, for `tcp://HOST:PORT` and as the first step of every
// HTTP check: a hard deadline, the phase it was in, the address that answered.
// node:net only (no node:http): what a check loads decides what it costs.
import type { Socket } from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import { nowMs } from './clock.ts'
import { describeError } from './errors.ts'
import { isLoopbackName } from './localhost.ts'
import type { CheckResult } from './result.ts'

export const DEFAULT_TIMEOUT_MS = 1000

type Phase = 'resolving' | 'connecting' | 'tls' | 'headers' | 'body'

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

type Connection = {
  /** The connected socket (TLS-wrapped for https), once `use` is called. */
  readonly socket: Socket
  readonly sinceStart: () => number
  /** Where the attempt is, for a timeout's words. */
  phase: Phase
  /** Ends the attempt with a result built from `fields`; later calls do nothing. */
  readonly finish: (fields: Outcome) => void
  readonly fail: (error: unknown) => void
  readonly timings: { connectMs?: number; headersMs?: number }
  /** What the protocol learnt so far (a status, headers), added to any result, a timeout's too. */
  learnt?: (() => Partial<CheckResult>) | undefined
}

type Outcome =
  | { readonly ok: true; readonly status?: number }
  | { readonly ok: false; readonly code: string; readonly reason: string }

/**
 * Connects to `url`'s host and port (then TLS, when `tls` is given) and hands the
 * connection to `use`; resolves with the result `use` finishes with, or a
 * timeout, an abort or the connection's error.
 *
 * `localhost` is 127.0.0.1, then ::1 as soon as that fails (a refused loopback
 * address fails in well under a millisecond) or after FALLBACK_DELAY_MS, happy-
 * eyeballs style. Connecting to the addresses directly, without a lookup, keeps
 * node:dns unloaded (~5 ms of a check's start-up); trying ::1 only when needed
 * saves compiling Node's IPv6 address pattern (~2 ms) on the usual server.
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
  const addresses = isLoopbackName(host) ? loopbackAddresses : [host]

  return new Promise<CheckResult>((resolve) => {
    const timings: { connectMs?: number; headersMs?: number } = {}
    const sockets: Socket[] = []
    let remoteAddress: string | undefined
    let settled = false
    let winner: Socket | undefined
    let fallback: NodeJS.Timeout | undefined
    const state = {
      phase: (isLoopbackName(host) || net.isIPv4(host) || host.includes(':')
        ? 'connecting'
        : 'resolving') as Phase,
      learnt: undefined as (() => Partial<CheckResult>) | undefined,
    }
    const finish = (outcome: Outcome) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      clearTimeout(fallback)
      options.signal?.removeEventListener('abort', onAbort)
      for (const socket of sockets) socket.destroy()
      const base = {
        url: shownAs,
        elapsedMs: nowMs() - startedAt,
        timings,
        ...(remoteAddress === undefined ? {} : { remoteAddress }),
        ...state.learnt?.(),
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
    }
    const fail = (error: unknown) => finish({ ok: false, ...describeError(error) })
    const onAbort = () => finish({ ok: false, code: 'ABORTED', reason: 'aborted' })
    const deadline = setTimeout(() => {
      const reason = `timeout after ${timeoutMs} ms ${phaseWords[state.phase]}`
      finish({ ok: false, code: 'TIMEOUT', reason })
    }, timeoutMs)
    if (options.signal?.aborted) {
      onAbort()
      return
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })

    const ready = (socket: Socket) => {
      state.phase = 'headers'
      use({
        socket,
        sinceStart: () => nowMs() - startedAt,
        get phase() {
          return state.phase
        },
        set phase(phase: Phase) {
          state.phase = phase
        },
        finish,
        fail,
        timings,
        get learnt() {
          return state.learnt
        },
        set learnt(learnt) {
          state.learnt = learnt
        },
      })
    }
    const connected = (socket: Socket) => {
      winner = socket
      clearTimeout(fallback)
      timings.connectMs = nowMs() - startedAt
      remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort)
      for (const other of sockets) if (other !== socket) other.destroy()
      if (tls === undefined) {
        ready(socket)
        return
      }
      state.phase = 'tls'
      const secure = tls.connect({
        ...options.tls,
        socket,
        // SNI carries names only, never an address.
        ...(net.isIPv4(host) || host.includes(':') ? {} : { servername: host }),
      })
      sockets.push(secure)
      secure.on('error', fail)
      secure.once('secureConnect', () => ready(secure))
    }
    const errors: unknown[] = addresses.map(() => undefined)
    const started: boolean[] = addresses.map(() => false)
    const connectTo = (index: number) => {
      const address = addresses[index]
      if (address === undefined || started[index] || settled || winner !== undefined) return
      started[index] = true
      let socket: Socket
      try {
        socket = net.connect({ host: address, port, autoSelectFamily: true })
      } catch (error) {
        // What cannot be tried at all (port 0, say) is still a value.
        fail(error)
        return
      }
      sockets.push(socket)
      socket.once('lookup', () => {
        if (state.phase === 'resolving') state.phase = 'connecting'
      })
      socket.once('connect', () => {
        if (winner === undefined && !settled) connected(socket)
      })
      socket.on('error', (error) => {
        if (winner === socket) {
          fail(error)
          return
        }
        if (winner !== undefined) return
        errors[index] = error
        connectTo(index + 1)
        if (errors.every((seen) => seen !== undefined)) {
          // Both loopback addresses failed: name each, as happy eyeballs would.
          fail(errors.length === 1 ? errors[0] : new AggregateError(errors))
        }
      })
    }
    connectTo(0)
    if (addresses.length > 1) {
      fallback = setTimeout(() => connectTo(1), FALLBACK_DELAY_MS)
    }
  })
}

/** As Node's own happy eyeballs (autoSelectFamilyAttemptTimeout) waits before the next address. */
const FALLBACK_DELAY_MS = 250
const loopbackAddresses = ['127.0.0.1', '::1'] as const

/** `tcp://HOST:PORT`: healthy when a connection opens in time. Nothing is sent. */
export function checkTcp(url: URL, options: AttemptOptions = {}): Promise<CheckResult> {
  return attempt(url, `tcp://${url.host}`, options, (connection) => connection.finish({ ok: true }))
}

function formatAddress(address: string | undefined, port: number | undefined): string | undefined {
  if (address === undefined) return undefined
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}
