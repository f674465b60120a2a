// GET / shows the page; POST / (the form, for browsers without JavaScript)
// asks the API for a number and shows the page with the answer.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { type ApiHealth, type ApiStatus, healthAfter } from '../api-status.ts'
import type { Assets } from '../assets.ts'
import { clientGone, type DrawNumber } from '../draw-number.ts'
import { renderPage } from '../page.ts'
import type { RngOutcome } from '../rng-client.ts'
import { refuseCrossSite } from '../same-site.ts'

export type PageRouteOptions = {
  readonly draw: DrawNumber
  readonly apiStatus: ApiStatus
  readonly assets: Assets
}

export function pageRoutes(app: FastifyInstance, { draw, apiStatus, assets }: PageRouteOptions) {
  function sendPage(reply: FastifyReply, api: ApiHealth, outcome?: RngOutcome) {
    const page = renderPage({ api, assetUrls: assets.urls, ...(outcome ? { outcome } : {}) })
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page)
  }

  // Showing the page never calls /rng: it must not spend one of the API's good calls.
  app.get('/', async (_request, reply) => sendPage(reply, await apiStatus.current()))

  app.post(
    '/',
    { onRequest: refuseCrossSite({ needsPageHeader: false }) },
    async (request, reply) => {
      // The call and the badge side by side: a page waits one RNG_API_TIMEOUT_MS at most.
      const [outcome, api] = await Promise.all([
        draw(request.log, clientGone(reply)),
        apiStatus.current(),
      ])
      return sendPage(reply, healthAfter(outcome, api), outcome)
    },
  )
}
