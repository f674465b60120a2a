// A number on behalf of one request: a failure is logged with its cause (the
// request's logger adds the request id) and makes the badge look again.
import type { FastifyBaseLogger } from 'fastify'
import type { ApiStatus } from './api-status.ts'
import type { WebMetrics } from './metrics.ts'
import type { RngClient, RngOutcome } from './rng-client.ts'

export type DrawNumber = (log: FastifyBaseLogger) => Promise<RngOutcome>

export function drawNumber(rng: RngClient, apiStatus: ApiStatus, metrics?: WebMetrics): DrawNumber {
  return async (log) => {
    const started = performance.now()
    const outcome = await rng.draw()
    metrics?.apiCall(outcome, (performance.now() - started) / 1000)
    if (outcome.ok) {
      log.debug({ number: outcome.number }, 'rng call answered')
    } else {
      log.warn({ cause: outcome.cause }, 'rng call failed')
      apiStatus.invalidate()
    }
    return outcome
  }
}
