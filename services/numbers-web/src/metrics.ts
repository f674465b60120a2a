// numbers-web's own metrics: its calls to the API by outcome (the failure codes
// of errors.ts), how long they took, and what the page's badge says.
import { observe, SeriesHistogram } from '@numbers/service'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { ApiHealth } from './api-status.ts'
import type { RngFailureCode } from './errors.ts'
import type { RngOutcome } from './rng-client.ts'

/** A label per failure code; a new code does not compile until it has one. */
export const outcomeOfFailure = {
  NUMBERS_ERR_RNG_TIMEOUT: 'timeout',
  NUMBERS_ERR_RNG_UNREACHABLE: 'unreachable',
  NUMBERS_ERR_RNG_STATUS: 'status',
  NUMBERS_ERR_RNG_BODY: 'body',
  NUMBERS_ERR_RNG_TOO_LARGE: 'too_large',
  NUMBERS_ERR_RNG_BUSY: 'busy',
  NUMBERS_ERR_RNG_CANCELLED: 'cancelled',
} as const satisfies Record<RngFailureCode, string>

export const apiCallOutcomes = ['ok', ...Object.values(outcomeOfFailure)] as const
export const apiHealths = [
  'healthy',
  'starting',
  'unhealthy',
  'unreachable',
] as const satisfies readonly ApiHealth[]

export type WebMetrics = {
  /** One finished call to the API's /rng. */
  readonly apiCall: (outcome: RngOutcome, seconds: number) => void
  /** What the badge shows now. */
  readonly apiStatus: (health: ApiHealth) => void
  /** A call sent again after its connection closed before any byte of the answer. */
  readonly apiRetry: () => void
}

export function registerWebMetrics(registry: Registry): WebMetrics {
  const registers = [registry]
  // Every call is observed once in the histogram (a series per outcome, found once); the
  // counter is read from its counts when Prometheus scrapes, so a call costs no prom-client work.
  const duration = new SeriesHistogram({
    name: 'numbers_web_api_call_duration_seconds',
    help: "Time a call to the API's `/rng` took, by outcome.",
    labelNames: ['outcome'],
  })
  // Every series exists from the start (0), so a rate() or an alert sees it before its first event.
  const byOutcome = new Map(
    apiCallOutcomes.map((outcome) => [outcome, duration.series({ outcome })]),
  )
  new Counter({
    name: 'numbers_web_api_calls_total',
    help: "Calls to the API's `/rng`, by outcome: `ok`, or the failure (timeout, unreachable, status, body, too_large; busy: refused at once, too many calls waiting; cancelled: the client hung up first).",
    labelNames: ['outcome'] as const,
    registers,
    collect() {
      this.reset()
      for (const [outcome, series] of byOutcome) this.inc({ outcome }, series.count)
    },
  })
  registry.registerMetric(duration.asMetric())
  const retries = new Counter({
    name: 'numbers_web_api_retries_total',
    help: "Calls to the API's `/rng` sent a second time because the connection closed before any byte of the answer (an API restarting or being replaced).",
    registers,
  })
  const status = new Gauge({
    name: 'numbers_web_api_status',
    help: "The API's health as the page's badge shows it: 1 for the current status, 0 for the others.",
    labelNames: ['status'] as const,
    registers,
  })
  for (const health of apiHealths) status.set({ status: health }, 0)

  return {
    apiCall: (outcome, seconds) => {
      const label = outcome.ok ? 'ok' : outcomeOfFailure[outcome.cause.code]
      const series = byOutcome.get(label)
      if (series) observe(series, seconds)
    },
    apiRetry: () => retries.inc(),
    apiStatus: (health) => {
      for (const each of apiHealths) status.set({ status: each }, each === health ? 1 : 0)
    },
  }
}
