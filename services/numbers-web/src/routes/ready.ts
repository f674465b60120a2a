// Readiness: should traffic come here now? Not once shutting down (before the
// web stops accepting), and only while the API is healthy, since without it
// the page can only say "RNG service unavailable!".
import { type Shutdown, sendProblem, sendShuttingDown } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import type { ApiStatus } from '../api-status.ts'
import { apiNotReadyProblem } from '../problems.ts'

export function readyRoute(app: FastifyInstance, apiStatus: ApiStatus, shutdown: Shutdown): void {
  app.get('/ready', async (request, reply) => {
    if (shutdown.isShuttingDown()) return sendShuttingDown(request, reply)
    const api = await apiStatus.current()
    if (api === 'healthy') return reply.type('text/plain; charset=utf-8').send('Ready')
    return sendProblem(request, reply, apiNotReadyProblem, `The numbers API is ${api}.`)
  })
}
