// GET /api/status: the badge's data, polled by every open page (cached and
// shared in api-status.ts, so many pages still cost the API one probe).
import type { FastifyInstance } from 'fastify'
import type { ApiStatus } from '../api-status.ts'

export function statusRoute(app: FastifyInstance, apiStatus: ApiStatus): void {
  app.get('/api/status', async (_request, reply) => {
    const api = await apiStatus.current()
    return reply.header('cache-control', 'no-store').type('application/json').send({ api })
  })
}
