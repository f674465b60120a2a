// Liveness: is this process still able to do its job? Called every few
// seconds forever, so every answer is a constant, and an unhealthy one says why.
import { sendProblem } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import { unhealthyDetail, unhealthyProblem } from '../problems.ts'
import type { RngState } from '../state.ts'

export function healthRoute(app: FastifyInstance, state: RngState): void {
  app.get('/health', (request, reply) => {
    const cause = state.unhealthyCause()
    if (cause === undefined) return reply.type('text/plain; charset=utf-8').send('Ok')
    return sendProblem(request, reply, unhealthyProblem, unhealthyDetail(cause, state.failAfter))
  })
}
