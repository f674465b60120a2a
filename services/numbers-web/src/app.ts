// Builds the numbers-web Fastify instance; never listens (server.ts does).
import formbody from '@fastify/formbody'
import type { ConfigOf, KeyUsedBy } from '@numbers/config'
import { type AppOptions, createServiceApp, createShutdown, useMetrics } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import { type ApiStatusOptions, createApiStatus } from './api-status.ts'
import { apiUrls } from './api-urls.ts'
import { loadAssets } from './assets.ts'
import { drawNumber } from './draw-number.ts'
import { registerWebMetrics } from './metrics.ts'
import { createRngClient } from './rng-client.ts'
import { healthRoute } from './routes/health.ts'
import { numberRoute } from './routes/number.ts'
import { pageRoutes } from './routes/page.ts'
import { readyRoute } from './routes/ready.ts'
import { staticRoute } from './routes/static.ts'
import { statusRoute } from './routes/status.ts'
import { useHelmetHeaders } from './security-headers.ts'

/** Every key the registry says numbers-web reads (its usedBy). */
export type WebConfig = ConfigOf<KeyUsedBy<'numbers-web'>>

export type WebOptions = AppOptions<WebConfig> & {
  /** Replaces http-check's probe of the API's /ready and /health (unit tests). */
  readonly probe?: ApiStatusOptions['probe']
}

export function buildApp({
  config,
  logger = false,
  probe,
  shutdown = createShutdown(),
}: WebOptions): FastifyInstance {
  // The only body this app accepts is the empty form of POST /.
  const app = createServiceApp({
    logger,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    bodyLimit: 4096,
  })
  const metrics = config.METRICS ? registerWebMetrics(useMetrics(app)) : undefined
  const urls = apiUrls(config.RNG_API_URL)
  const rng = createRngClient({
    url: urls.rng,
    timeoutMs: config.RNG_API_TIMEOUT_MS,
    connectTimeoutMs: config.RNG_API_CONNECT_TIMEOUT_MS,
  })
  const apiStatus = createApiStatus({
    readyUrl: urls.ready,
    healthUrl: urls.health,
    timeoutMs: config.RNG_API_TIMEOUT_MS,
    cacheMs: config.API_STATUS_CACHE_MS,
    onChange: (api, previous) => {
      metrics?.apiStatus(api)
      app.log.info({ api, previous }, 'api status changed')
    },
    ...(probe ? { probe } : {}),
  })
  const assets = loadAssets()
  const draw = drawNumber(rng, metrics)

  useHelmetHeaders(app, {
    contentSecurityPolicy: {
      // helmet's defaults allow inline styles and add upgrade-insecure-requests,
      // which breaks a page served over plain http (as in compose); list it all.
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // The web speaks plain http; HSTS belongs to whatever terminates TLS in front of it.
    strictTransportSecurity: false,
    // `no-referrer` made the page's own form POST carry `Origin: null`, which the
    // cross-site check must refuse (another site can send it too); nothing leaves this
    // origin with `same-origin` either.
    referrerPolicy: { policy: 'same-origin' },
  })
  app.register(formbody)

  pageRoutes(app, { draw, apiStatus, assets })
  numberRoute(app, draw)
  statusRoute(app, apiStatus)
  healthRoute(app)
  readyRoute(app, apiStatus, shutdown)
  staticRoute(app, assets)

  // preClose runs before in-flight requests are awaited: a page waiting on a badge probe
  // gets its answer (unreachable) at once instead of holding up shutdown.
  app.addHook('preClose', async () => {
    apiStatus.close()
  })
  app.addHook('onClose', async () => {
    await rng.close()
  })
  return app
}
