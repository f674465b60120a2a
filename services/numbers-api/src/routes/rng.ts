// GET /rng: a number 0-99 while healthy, 500 problem+json for good after FAIL_AFTER calls.
import { setTimeout as sleep } from 'node:timers/promises'
import { sendProblem } from '@numbers/service'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { unhealthyProblem } from '../problems.ts'
import type { RngState } from '../state.ts'

export type RngRouteOptions = {
  readonly state: RngState
  readonly responseDelayMs: number
}

const JSON_TYPE = 'application/json; charset=utf-8'

export function rngRoute(app: FastifyInstance, { state, responseDelayMs }: RngRouteOptions): void {
  function answer(request: FastifyRequest, reply: FastifyReply): FastifyReply {
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
      request.log.warn({ failAfter: state.failAfter }, 'turned unhealthy')
    }
    // JSON for an integer is its digits: sent as a string, so no serializer runs.
    return reply.type(JSON_TYPE).send(String(draw.value))
  }

  // Without a delay the answer is synchronous: no promise per request.
  if (responseDelayMs === 0) {
    app.get('/rng', answer)
    return
  }
  app.get('/rng', async (request, reply) => {
    await sleep(responseDelayMs)
    // A caller that gave up while we slept (a timed-out check) must not cost a good call.
    if (request.raw.socket.destroyed) return reply
    return answer(request, reply)
  })
}
