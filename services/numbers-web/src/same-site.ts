// The routes that spend one of the API's good calls answer only the page's own
// requests: another site's <img src="/api/number"> or auto-submitting form would
// otherwise spend them through a visitor's browser. Browsers say where a request
// comes from in Sec-Fetch-Site; clients that send none (curl, tests) are let through.
import { sendProblem } from '@numbers/service'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { crossSiteProblem } from './problems.ts'

export async function refuseCrossSite(request: FastifyRequest, reply: FastifyReply) {
  const site = request.headers['sec-fetch-site']
  if (site === undefined || site === 'same-origin' || site === 'none') return
  return sendProblem(
    request,
    reply,
    crossSiteProblem,
    "Numbers are only served to this site's own page.",
  )
}
