// A request's id, made when something first asks for it: the reqId of its first log line or
// the traceId of its problem body. Most requests need neither (a successful one logs nothing
// at the default level and has no problem body), and a UUID made for every request was one
// of the costs that kept the API under node:http's throughput (README, Benchmarks). So
// Fastify's own `request.id` is left empty: the id is `requestIdOf(request.raw)`.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const kRequestId = Symbol('numbers.requestId')
type WithId = IncomingMessage & { [kRequestId]?: string }

/** The id of this request: a UUID, unique across restarts and replicas, safe to show a user. */
export function requestIdOf(raw: IncomingMessage): string {
  const request = raw as WithId
  request[kRequestId] ??= randomUUID()
  return request[kRequestId]
}

/** Fastify's genReqId: nothing per request; the id comes from requestIdOf when needed. */
export const noRequestId = (): string => ''
