// Readiness: should traffic come here now? No while warming up (STARTUP_DELAY_MS)
// and no once unhealthy. A dependent service waits on this, not on /rng.
import { sendProblem } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import { notReadyProblem, startingProblem } from '../problems.ts'
import type { RngState } from '../state.ts'

export function readyRoute(app: FastifyInstance, state: RngState): void {
  app.get('/ready', (request, reply) => {
    if (!state.isHealthy()) {
      return sendProblem(request, reply, notReadyProblem, 'The service is unhealthy.')
    }
    if (state.isStarting()) {
      return sendProblem(request, reply, startingProblem, 'The service is still starting.')
    }
    return reply.type('text/plain; charset=utf-8').send('Ready')
  })
}
