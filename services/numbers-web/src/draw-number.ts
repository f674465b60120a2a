// A number on behalf of one request: a failure is logged with its cause (the
// request's logger adds the request id), every call is counted and timed in /metrics, and a
// client that hangs up cancels its call.
import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import { ClientGoneError } from './errors.ts'
import type { WebMetrics } from './metrics.ts'
import { CallSignal, type RngClient, type RngOutcome } from './rng-client.ts'

export type DrawNumber = (log: FastifyBaseLogger, signal?: CallSignal) => Promise<RngOutcome>

export function drawNumber(rng: RngClient, metrics?: WebMetrics): DrawNumber {
  return async (log, signal) => {
    const started = performance.now()
    const outcome = await rng.draw(signal)
    metrics?.apiCall(outcome, (performance.now() - started) / 1000)
    if (outcome.retried) {
      // Counted in rng.counts().retried and /metrics; one line per retry, the first attempt's cause.
      metrics?.apiRetry()
      log.info({ cause: outcome.retried, calls: rng.counts() }, 'rng call retried')
    }
    if (outcome.ok) {
      log.debug({ number: outcome.number }, 'rng call answered')
    } else if (outcome.cause.code === 'NUMBERS_ERR_RNG_CANCELLED') {
      // Nobody is left to answer; the count says how often it happens.
      log.debug({ cause: outcome.cause, calls: rng.counts() }, 'rng call cancelled')
    } else {
      log.warn({ cause: outcome.cause, calls: rng.counts() }, 'rng call failed')
    }
    return outcome
  }
}

/** Ends the call when the connection closes before this request's answer was sent. */
export function clientGone(reply: FastifyReply): CallSignal {
  const signal = new CallSignal()
  const response = reply.raw
  // Closes once, and is garbage with the response: no need for once() or a removal.
  response.on('close', () => {
    if (!response.writableFinished) signal.abort(new ClientGoneError())
  })
  return signal
}
