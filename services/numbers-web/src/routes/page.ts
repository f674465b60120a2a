// GET / shows the page; POST / (the form, for browsers without JavaScript)
// asks the API for a number and shows the page with the answer.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { type ApiHealth, type ApiStatus, healthAfter } from '../api-status.ts'
import type { Assets } from '../assets.ts'
import { clientGone, type DrawNumber } from '../draw-number.ts'
import { renderPage } from '../page.ts'
import { refuseCrossSite } from '../same-site.ts'

export type PageRouteOptions = {
  readonly draw: DrawNumber
  readonly apiStatus: ApiStatus
  readonly assets: Assets
}

export function pageRoutes(app: FastifyInstance, { draw, apiStatus, assets }: PageRouteOptions) {
  function sendPage(reply: FastifyReply, page: string) {
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page)
  }

  // The page without a number differs only by its badge: rendered once per badge state.
  const plainPages = new Map<ApiHealth, string>()
  function plainPage(api: ApiHealth): string {
    let page = plainPages.get(api)
    if (page === undefined) {
      page = renderPage({ api, assetUrls: assets.urls })
      plainPages.set(api, page)
    }
    return page
  }

  // Showing the page never calls /rng: it must not spend one of the API's good calls. With
  // the badge's answer fresh in the cache it is answered at once, with no promise.
  app.get('/', (_request, reply) => {
    const api = apiStatus.fresh()
    if (api !== undefined) return sendPage(reply, plainPage(api))
    return apiStatus.current().then((health) => sendPage(reply, plainPage(health)))
  })

  app.post(
    '/',
    { onRequest: refuseCrossSite({ needsPageHeader: false }) },
    async (request, reply) => {
      // The call and the badge side by side: a page waits one RNG_API_TIMEOUT_MS at most.
      const [outcome, api] = await Promise.all([
        draw(request.log, clientGone(reply)),
        apiStatus.current(),
      ])
      const page = renderPage({ api: healthAfter(outcome, api), assetUrls: assets.urls, outcome })
      return sendPage(reply, page)
    },
  )
}
