// Liveness: is this process still able to do its job? Called every few
// seconds forever, so the healthy answer is a constant.
import { sendProblem } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import { unhealthyProblem } from '../problems.ts'
import type { RngState } from '../state.ts'

export function healthRoute(app: FastifyInstance, state: RngState): void {
  app.get('/health', (request, reply) => {
    if (state.isHealthy()) return reply.type('text/plain; charset=utf-8').send('Ok')
    return sendProblem(
      request,
      reply,
      unhealthyProblem,
      'The service is unhealthy and stays so until it restarts.',
    )
  })
}
