// problem+json for requests too broken to reach a route: URLs the router cannot read, and
// requests Node's parser rejects before Fastify sees them.
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { NOT_A_DOCUMENT, PROBLEM_CONTENT_TYPE, problemBody, sendProblem } from './problem.ts'

/**
 * URLs the router cannot read (bad percent-encoding, a path parameter over
 * maxParamLength): Fastify's own answer is JSON with its internal FST_ code and
 * no traceId. They run no hooks, and the problem echoes the URL, so the answer
 * carries the two headers that keep a browser from treating it as a document
 * (the web's server adds the rest of its security headers, responses.ts).
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode === 414 ? 414 : 400
  request.log.info({ code: error.code, status }, 'unreadable url')
  reply.headers(NOT_A_DOCUMENT)
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
export function clientErrorHandler(
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
  const body = problemBody(
    { status, type: 'about:blank', title },
    `The request could not be read (${error.code ?? 'parse error'}).`,
    { traceId },
  )
  const headers = Object.entries({ ...NOT_A_DOCUMENT, 'content-length': Buffer.byteLength(body) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
      `${headers}connection: close\r\n\r\n${body}`,
  )
}
