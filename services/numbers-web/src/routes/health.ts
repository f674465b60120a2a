// Liveness: is this process still able to serve pages? Deliberately blind to
// the API: if it were not, an API outage would get the web restarted too.
import type { FastifyInstance } from 'fastify'

export function healthRoute(app: FastifyInstance): void {
  app.get('/health', (_request, reply) => reply.type('text/plain; charset=utf-8').send('Ok'))
}
