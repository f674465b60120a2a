// RFC 9457 problem+json: the one place where an HTTP error becomes a body.
// Responses never carry a stack; the log line with the same traceId carries the cause.
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requestIdOf } from './request-id.ts'

export type ProblemKind = {
  readonly status: number
  /** A URI naming the kind of problem; `about:blank` when the status says it all. */
  readonly type: string
  readonly title?: string
}

export type Problem = {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly instance?: string
  readonly traceId: string
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

/**
 * Headers for an answer that echoes what the client sent (a URL): no browser may sniff it
 * into a document or frame it. The web's server adds the rest of its security headers.
 */
export const NOT_A_DOCUMENT = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
} as const

/** The body of every problem answer; `instance` is left out where no request was read. */
export function problemBody(
  kind: ProblemKind,
  detail: string,
  { traceId, instance }: { readonly traceId: string; readonly instance?: string },
): string {
  const problem: Problem = {
    type: kind.type,
    title: kind.title ?? STATUS_CODES[kind.status] ?? 'Error',
    status: kind.status,
    detail,
    ...(instance === undefined ? {} : { instance }),
    traceId,
  }
  return JSON.stringify(problem)
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: ProblemKind,
  detail: string,
): FastifyReply {
  return reply
    .code(kind.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(kind, detail, { traceId: requestIdOf(request.raw), instance: request.url }))
}

/** Routes 404/405 and every thrown error through problem+json. */
export function useProblemResponses(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/'
    // findRoute matches the path as a request would; hasRoute would parse it as a route
    // pattern (`/:x(` threw a 500, and 15 KB of pattern syntax cost ~7 ms per request).
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null)
    // A route that matched and called callNotFound() (/static/<unknown file>) is a 404.
    if (allowed.length > 0 && !allowed.includes(request.method as (typeof METHODS)[number])) {
      reply.header('allow', allowed.join(', '))
      return sendProblem(
        request,
        reply,
        { status: 405, type: 'about:blank' },
        `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
      )
    }
    return sendProblem(request, reply, { status: 404, type: 'about:blank' }, `No route ${path}`)
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status =
      typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return sendProblem(
        request,
        reply,
        { status, type: 'about:blank' },
        'The server could not answer; the log line with this traceId says why.',
      )
    }
    // Client errors raised by Fastify itself (bad JSON, body too large...) say what was wrong.
    return sendProblem(request, reply, { status, type: 'about:blank' }, error.message)
  })
}
