// The Fastify instance both services start from: the shared server options, problem+json for
// every error and unknown route, and a log line for a client that leaves mid-request.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { logDisconnects } from './connections.ts'
import { type ServerOptionsInput, serverOptions } from './options.ts'
import { useProblemResponses } from './problem.ts'
import type { Shutdown } from './shutdown.ts'

/** What a service's buildApp takes (the web adds a probe for its tests). */
export type AppOptions<Config> = {
  readonly config: Config
  /** pino options (with a `stream` in tests), or false for silence. */
  readonly logger?: FastifyServerOptions['logger']
  /** Begun by the process on SIGTERM (run.ts); tests begin their own. */
  readonly shutdown?: Shutdown
}

export function createServiceApp(options: ServerOptionsInput): FastifyInstance {
  const app = Fastify(serverOptions(options))
  useProblemResponses(app)
  logDisconnects(app)
  return app
}
