// GET / shows the page; POST / (the form, for browsers without JavaScript)
// asks the API for a number and shows the page with the answer.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ApiStatus } from '../api-status.ts'
import type { Assets } from '../assets.ts'
import type { DrawNumber } from '../draw-number.ts'
import { renderPage } from '../page.ts'
import type { RngOutcome } from '../rng-client.ts'
import { refuseCrossSite } from '../same-site.ts'

export type PageRouteOptions = {
  readonly draw: DrawNumber
  readonly apiStatus: ApiStatus
  readonly assets: Assets
}

export function pageRoutes(app: FastifyInstance, { draw, apiStatus, assets }: PageRouteOptions) {
  async function sendPage(reply: FastifyReply, outcome?: RngOutcome) {
    const api = await apiStatus.current()
    const page = renderPage({ api, assetUrls: assets.urls, ...(outcome ? { outcome } : {}) })
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page)
  }

  // Showing the page never calls /rng: it must not spend one of the API's good calls.
  app.get('/', (_request, reply) => sendPage(reply))

  app.post('/', { onRequest: refuseCrossSite }, async (request, reply) =>
    sendPage(reply, await draw(request.log)),
  )
}
