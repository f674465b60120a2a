// Builds the numbers-api Fastify instance; never listens (server.ts does).
import type { ConfigOf, KeyUsedBy } from '@numbers/config'
import {
  createShutdown,
  logDisconnects,
  type Shutdown,
  serverOptions,
  useMetrics,
  useProblemResponses,
} from '@numbers/service'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { registerApiMetrics } from './metrics.ts'
import { healthRoute } from './routes/health.ts'
import { readyRoute } from './routes/ready.ts'
import { rngRoute } from './routes/rng.ts'
import { createRngState } from './state.ts'

/** Every key the registry says numbers-api reads (its usedBy). */
export type ApiConfig = ConfigOf<KeyUsedBy<'numbers-api'>>

export type ApiOptions = {
  readonly config: ApiConfig
  /** pino options (with a `stream` in tests), or false for silence. */
  readonly logger?: FastifyServerOptions['logger']
  /** Begun by the process on SIGTERM (run.ts); tests begin their own. */
  readonly shutdown?: Shutdown
}

export function buildApp({
  config,
  logger = false,
  shutdown = createShutdown(),
}: ApiOptions): FastifyInstance {
  const app = Fastify(serverOptions({ logger, requestTimeoutMs: config.REQUEST_TIMEOUT_MS }))
  const state = createRngState({
    failAfter: config.FAIL_AFTER,
    broken: config.BROKEN,
    startupDelayMs: config.STARTUP_DELAY_MS,
  })
  useProblemResponses(app)
  logDisconnects(app)
  if (config.METRICS) {
    registerApiMetrics({
      registry: useMetrics(app),
      state,
      shutdown,
      failAfter: config.FAIL_AFTER,
    })
  }
  rngRoute(app, {
    state,
    failAfter: config.FAIL_AFTER,
    responseDelayMs: config.RESPONSE_DELAY_MS,
  })
  healthRoute(app, state, config.FAIL_AFTER)
  readyRoute(app, { state, shutdown, failAfter: config.FAIL_AFTER })
  return app
}
