// The Fastify options both services share: request ids, deadlines for slow
// clients, and problem+json even for requests too broken to reach a route.
import type { Server } from 'node:http'
import type { FastifyHttpOptions, FastifyServerOptions } from 'fastify'
import { clientErrorHandler, frameworkErrors } from './client-errors.ts'
import { createBoundedServer } from './connections.ts'
import { EventLogController } from './log-controller.ts'
import { noRequestId } from './request-id.ts'
import { lazyRequestLogger } from './request-logger.ts'

export type ServerOptionsInput = {
  readonly logger: NonNullable<FastifyServerOptions['logger']>
  /** How long a client may take to send a whole request (REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number
  readonly bodyLimit?: number
}

export function serverOptions({
  logger,
  requestTimeoutMs,
  bodyLimit = 1024,
}: ServerOptionsInput): FastifyHttpOptions<Server> {
  return {
    logger,
    // Request ids are made when a log line or a problem body first needs one (request-id.ts).
    genReqId: noRequestId,
    childLoggerFactory: lazyRequestLogger,
    bodyLimit,
    // The server bounds what each connection may hold (connections.ts) and sets the
    // deadlines itself: Fastify leaves them to a serverFactory.
    serverFactory: (handler) => createBoundedServer(handler, { requestTimeoutMs }),
    clientErrorHandler,
    frameworkErrors,
    logController: new EventLogController(),
  }
}
