// GET /api/number: the page's script asks here, so the browser never talks to the API.
import { sendProblem } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import { clientGone, type DrawNumber } from '../draw-number.ts'
import { rngUnavailableProblem } from '../problems.ts'
import { refuseCrossSite } from '../same-site.ts'

const JSON_TYPE = 'application/json; charset=utf-8'

export function numberRoute(app: FastifyInstance, draw: DrawNumber): void {
  // No automatic HEAD: a link checker's HEAD would spend one of the API's good calls.
  app.get(
    '/api/number',
    { exposeHeadRoute: false, onRequest: refuseCrossSite({ needsPageHeader: true }) },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const outcome = await draw(request.log, clientGone(reply))
      // The JSON written out: an integer needs no serializer.
      if (outcome.ok) return reply.type(JSON_TYPE).send(`{"number":${outcome.number}}`)
      return sendProblem(
        request,
        reply,
        rngUnavailableProblem,
        'The numbers API gave no number; the log line with this traceId says why.',
      )
    },
  )
}
