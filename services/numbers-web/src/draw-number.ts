// A number on behalf of one request: a failure is logged with its cause (the
// request's logger adds the request id).
import type { FastifyBaseLogger } from 'fastify'
import type { RngClient, RngOutcome } from './rng-client.ts'

export type DrawNumber = (log: FastifyBaseLogger) => Promise<RngOutcome>

export function drawNumber(rng: RngClient): DrawNumber {
  return async (log) => {
    const outcome = await rng.draw()
    if (outcome.ok) {
      log.debug({ number: outcome.number }, 'rng call answered')
    } else {
      log.warn({ cause: outcome.cause }, 'rng call failed')
    }
    return outcome
  }
}
