// The Fastify options both services share: request ids, deadlines for slow
// clients, and problem+json even for requests too broken to reach a route.
import { randomUUID } from 'node:crypto'
import { type Server, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify'
import type { Logger } from 'pino'
import { createBoundedServer } from './connections.ts'
import { PROBLEM_CONTENT_TYPE, sendProblem } from './problem.ts'
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

/**
 * Logs events, not traffic: a request that fails (status ≥ 400) is logged at
 * info, a successful one only at debug — health probes run every few seconds
 * forever, and two info lines per request halved the services' throughput
 * (see the README's benchmarks). LOG_LEVEL=debug shows every request.
 */
class EventLogController extends LogController {
  // The level is checked before a line's fields are built: at the default level a
  // successful request logs nothing and should allocate nothing for it.
  override incomingRequest(request: FastifyRequest): void {
    if (isEnabled(request.log, 'debug')) request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(
    error: Error | null,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const level = error ? 'error' : reply.statusCode >= 400 ? 'info' : 'debug'
    if (!isEnabled(request.log, level)) return
    const fields = { res: reply, responseTime: reply.elapsedTime }
    if (error) request.log.error({ ...fields, err: error }, 'request errored')
    else request.log[level](fields, 'request completed')
  }
}

/** pino's own check; the stand-in Fastify uses for `logger: false` logs nothing anyway. */
function isEnabled(log: FastifyBaseLogger, level: string): boolean {
  return (log as Partial<Logger>).isLevelEnabled?.(level) ?? true
}

/**
 * URLs the router cannot read (bad percent-encoding, a path parameter over
 * maxParamLength): Fastify's own answer is JSON with its internal FST_ code and
 * no traceId. They run no hooks, and the problem echoes the URL, so the answer
 * carries the two headers that keep a browser from treating it as a document
 * (the web's server adds the rest of its security headers, responses.ts).
 */
function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode === 414 ? 414 : 400
  request.log.info({ code: error.code, status }, 'unreadable url')
  reply
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
  sendProblem(
    request,
    reply,
    { status, type: 'about:blank' },
    status === 414
      ? 'A segment of the path is too long.'
      : 'The path could not be decoded (bad percent-encoding).',
  )
}

const statusOfClientError: Readonly<Record<string, number>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADER_OVERFLOW: 431,
}

/**
 * Requests Node's parser rejects before Fastify sees them (bad syntax, headers
 * or URL too large, too slow to arrive) still get problem+json, and a log line
 * with the same traceId.
 */
function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const status = statusOfClientError[error.code ?? ''] ?? 400
  const title = STATUS_CODES[status] ?? 'Bad Request'
  const traceId = randomUUID()
  this.log.info({ traceId, code: error.code, status }, 'client error')
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const body = JSON.stringify({
    type: 'about:blank',
    title,
    status,
    detail: `The request could not be read (${error.code ?? 'parse error'}).`,
    traceId,
  })
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
      "x-content-type-options: nosniff\r\ncontent-security-policy: default-src 'none'; frame-ancestors 'none'\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
}
