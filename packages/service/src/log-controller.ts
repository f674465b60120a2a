// What a request logs: events, not traffic (Fastify's LogController, one subclass).
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import { LogController } from 'fastify'
import type { Logger } from 'pino'

/**
 * Logs events, not traffic: a request that fails (status ≥ 400) is logged at
 * info, a successful one only at debug — health probes run every few seconds
 * forever, and two info lines per request halved the services' throughput
 * (see the README's benchmarks). LOG_LEVEL=debug shows every request.
 */
export class EventLogController extends LogController {
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
