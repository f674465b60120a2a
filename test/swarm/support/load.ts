// A steady load on the web's /api/number for the rolling-update tests: a fixed number of
// requests a second, sent on schedule whether or not the earlier ones have been answered (a
// slow answer does not slow the load down), each with its own deadline. Every answer that is
// not a number counts as a failed number and is kept, with when it came.
import { Pool } from 'undici'

export type LoadOptions = {
  readonly ratePerSecond: number
  /** A request not answered by then is a failed number. */
  readonly timeoutMs: number
}

export type LoadReport = {
  readonly requests: number
  readonly numbers: number
  /** What came back instead of a number, and when (ms since the load started). */
  readonly failures: readonly { readonly atMs: number; readonly what: string }[]
  readonly slowestMs: number
  /** When the slowest request was sent (ms since the load started). */
  readonly slowestAtMs: number
  readonly durationMs: number
}

export type SteadyLoad = {
  /** Stops sending, waits for the answers still due, and reports. */
  readonly stop: () => Promise<LoadReport>
}

const NUMBER_BODY = /^\{"number":\d{1,2}\}$/
const TICK_MS = 10

export function steadyLoad(url: URL, { ratePerSecond, timeoutMs }: LoadOptions): SteadyLoad {
  // Enough sockets for the requests in flight at this rate, with room for slow answers.
  const pool = new Pool(url.origin, { connections: 32 })
  const path = `${url.pathname}${url.search}`
  const startedAt = performance.now()
  const pending = new Set<Promise<void>>()
  const failures: { atMs: number; what: string }[] = []
  let requests = 0
  let numbers = 0
  let slowestMs = 0
  let slowestAtMs = 0

  async function ask(): Promise<void> {
    const sentAt = performance.now()
    let what: string | undefined
    try {
      const { statusCode, body } = await pool.request({
        method: 'GET',
        path,
        signal: AbortSignal.timeout(timeoutMs),
      })
      const text = await body.text()
      if (statusCode !== 200 || !NUMBER_BODY.test(text))
        what = `${statusCode} ${text.slice(0, 120)}`
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string }
      what = `${code ?? 'error'}: ${message ?? String(error)}`
    }
    const tookMs = performance.now() - sentAt
    if (tookMs > slowestMs) {
      slowestMs = tookMs
      slowestAtMs = sentAt - startedAt
    }
    if (what === undefined) numbers += 1
    else failures.push({ atMs: Math.round(sentAt - startedAt), what })
  }

  // Each tick sends what is due by now: the rate holds even when a timer fires late.
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) * ratePerSecond) / 1000)
    while (requests < due) {
      requests += 1
      const answer = ask()
      pending.add(answer)
      void answer.finally(() => pending.delete(answer))
    }
  }, TICK_MS)

  return {
    async stop() {
      clearInterval(timer)
      const durationMs = performance.now() - startedAt
      await Promise.all(pending)
      await pool.close()
      return { requests, numbers, failures, slowestMs, slowestAtMs, durationMs }
    },
  }
}
