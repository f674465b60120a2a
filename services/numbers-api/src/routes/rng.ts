import { setTimeout as sleep } from 'node:timers/promises'
import { sendProblem } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import { unhealthyProblem } from '../problems.ts'
import type { RngState } from '../state.ts'

export type RngRouteOptions = {
  readonly state: RngState
  readonly failAfter: number
  readonly responseDelayMs: number
}

export function rngRoute(
  app: FastifyInstance,
  { state, failAfter, responseDelayMs }: RngRouteOptions,
): void {
  app.get('/rng', async (request, reply) => {
    if (responseDelayMs > 0) await sleep(responseDelayMs)
    // A caller that gave up while we slept (a timed-out check) must not cost a good call.
    if (request.raw.socket.destroyed) return reply
    const draw = state.draw()
    if (draw.kind === 'unhealthy') {
      return sendProblem(
        request,
        reply,
        unhealthyProblem,
        `No more numbers: the service turned unhealthy after ${state.callsServed()} calls and stays so until it restarts.`,
      )
    }
    request.log.debug({ number: draw.value, callsServed: state.callsServed() }, 'number served')
    if (draw.turnedUnhealthy) {
      request.log.warn(`unhealthy after ${failAfter} calls`)
    }
    return reply.type('application/json').send(draw.value)
  })
}
