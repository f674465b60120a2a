// Builds the numbers-api Fastify instance; never listens (server.ts does).
import type { ConfigOf, KeyUsedBy } from '@numbers/config'
import { type AppOptions, createServiceApp, createShutdown, useMetrics } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import { registerApiMetrics } from './metrics.ts'
import { healthRoute } from './routes/health.ts'
import { readyRoute } from './routes/ready.ts'
import { rngRoute } from './routes/rng.ts'
import { createRngState } from './state.ts'

/** Every key the registry says numbers-api reads (its usedBy). */
export type ApiConfig = ConfigOf<KeyUsedBy<'numbers-api'>>

export type ApiOptions = AppOptions<ApiConfig>

export function buildApp({
  config,
  logger = false,
  shutdown = createShutdown(),
}: ApiOptions): FastifyInstance {
  const app = createServiceApp({ logger, requestTimeoutMs: config.REQUEST_TIMEOUT_MS })
  const state = createRngState({
    failAfter: config.FAIL_AFTER,
    broken: config.BROKEN,
    startupDelayMs: config.STARTUP_DELAY_MS,
  })
  if (config.METRICS) {
    registerApiMetrics({
      registry: useMetrics(app),
      state,
      shutdown,
    })
  }
  rngRoute(app, { state, responseDelayMs: config.RESPONSE_DELAY_MS })
  healthRoute(app, state)
  readyRoute(app, { state, shutdown })
  return app
}
