// Readiness: should traffic come here now? No once shutting down (before the
// service stops accepting), no once unhealthy, no while warming up
// (STARTUP_DELAY_MS). A dependent service waits on this, not on /rng.
import { type Shutdown, sendProblem, sendShuttingDown } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import { notReadyProblem, startingProblem, unhealthyDetail } from '../problems.ts'
import type { RngState } from '../state.ts'

export type ReadyRouteOptions = {
  readonly state: RngState
  readonly shutdown: Shutdown
}

export function readyRoute(app: FastifyInstance, { state, shutdown }: ReadyRouteOptions): void {
  app.get('/ready', (request, reply) => {
    if (shutdown.isShuttingDown()) return sendShuttingDown(request, reply)
    const cause = state.unhealthyCause()
    if (cause !== undefined) {
      return sendProblem(request, reply, notReadyProblem, unhealthyDetail(cause, state.failAfter))
    }
    if (state.isStarting()) {
      return sendProblem(
        request,
        reply,
        startingProblem,
        'Still starting: not ready until STARTUP_DELAY_MS has passed.',
      )
    }
    return reply.type('text/plain; charset=utf-8').send('Ready')
  })
}
