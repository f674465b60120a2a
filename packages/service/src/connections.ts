// What one connection, and the server as a whole, may hold. Node parses every request
// pipelined in what it has read before any answer exists, and answers into the socket's
// buffer whether the client reads or not: ~0.5 MB of `GET /` on one socket took the web
// from 89 MB to 362 MB RSS. The server these services listen with disconnects a client
// that pipelines past MAX_PIPELINED unanswered requests, leaves MAX_UNREAD_BYTES of answers
// unread, or leaves a full buffer unread for REQUEST_TIMEOUT_MS; everyone else is served.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { serviceResponse } from './responses.ts'

/** Unanswered requests one connection may have; browsers send one at a time. */
export const MAX_PIPELINED = 16
/**
 * Answered bytes one connection may leave unread in the process's buffer (a page is ~3 KB),
 * checked when its next request arrives. Node also stops reading a socket whose answers
 * do not drain; this catches what it lets through.
 */
export const MAX_UNREAD_BYTES = 256 * 1024
/** Open connections; Node closes the ones beyond at once. */
export const MAX_CONNECTIONS = 512
/** An idle keep-alive connection is closed after this long (Fastify's default is 72 s). */
export const KEEP_ALIVE_TIMEOUT_MS = 5000

export type ConnectionCounts = {
  /** Connections closed for pipelining past MAX_PIPELINED unanswered requests. */
  readonly tooManyPipelined: number
  /** Connections closed for leaving over MAX_UNREAD_BYTES of answers unread. */
  readonly tooMuchUnread: number
  /** Connections closed for leaving answers unread (the buffer full) for REQUEST_TIMEOUT_MS. */
  readonly notReading: number
}

export type BoundedServerOptions = {
  /** How long a client may take to send a whole request (REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number
}

/** Emitted on the server each time it closes a connection for going over a bound. */
export const DISCONNECT_EVENT = 'numbers:disconnect'

/** Unanswered requests of a connection, kept on its socket (a WeakMap costs a lookup each way). */
const kUnanswered = Symbol('numbers.unanswered')
type CountedSocket = Socket & { [kUnanswered]?: number }
const stalled = new WeakSet<Socket>()

/**
 * An http.Server that hands `handler` only the requests of connections within their
 * bounds. The check runs before Fastify builds anything for the request, so a flood costs
 * an IncomingMessage per request, dropped at once.
 */
export function createBoundedServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  { requestTimeoutMs }: BoundedServerOptions,
): Server {
  const counts = { tooManyPipelined: 0, tooMuchUnread: 0, notReading: 0 }
  const disconnect = (socket: Socket, bound: keyof ConnectionCounts) => {
    if (socket.destroyed) return
    socket.destroy()
    dropRestOfRead(socket)
    counts[bound] += 1
    server.emit(DISCONNECT_EVENT, bound, { ...counts } satisfies ConnectionCounts)
  }

  /**
   * Answers the client leaves in a full buffer: Node stops reading that socket, and no
   * deadline of its own applies, so the connection would be held for good. It gets
   * REQUEST_TIMEOUT_MS to read, as a client gets to send.
   */
  const watchUnread = (socket: Socket) => {
    if (!socket.writableNeedDrain || stalled.has(socket)) return
    stalled.add(socket)
    const timer = setTimeout(() => disconnect(socket, 'notReading'), requestTimeoutMs)
    const reading = () => {
      clearTimeout(timer)
      stalled.delete(socket)
      socket.off('drain', reading)
      socket.off('close', reading)
    }
    socket.on('drain', reading)
    socket.on('close', reading)
  }

  // Listeners shared by every response (no closure per request); `this` is the response.
  function answered(this: ServerResponse) {
    watchUnread(this.req.socket)
  }
  function closed(this: ServerResponse) {
    const socket = this.req.socket as CountedSocket
    socket[kUnanswered] = (socket[kUnanswered] ?? 1) - 1
  }

  const server: Server = createServer(
    {
      // Node checks request deadlines on this beat (30 s by default): keep it close to them.
      connectionsCheckingInterval: Math.min(1000, requestTimeoutMs),
      // Connection: close once it stops listening, and the headers every answer carries.
      ServerResponse: serviceResponse(() => server),
    },
    (request, response) => {
      const socket = request.socket as CountedSocket
      if (socket.destroyed) return
      const pending = (socket[kUnanswered] ?? 0) + 1
      if (pending > MAX_PIPELINED) return disconnect(socket, 'tooManyPipelined')
      if (socket.writableLength > MAX_UNREAD_BYTES) return disconnect(socket, 'tooMuchUnread')
      socket[kUnanswered] = pending
      response.on('close', closed)
      response.on('prefinish', answered)
      handler(request, response)
    },
  )
  server.requestTimeout = requestTimeoutMs
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS
  server.maxConnections = MAX_CONNECTIONS
  return server
}

type ParsingSocket = Socket & {
  parser?: { onIncoming: ((...args: unknown[]) => unknown) | null } | null
}

/** The parser's answer to a request it hands on: no upgrade, parse the body as usual. */
const ignoreRequest = () => 0

/**
 * Node's parser runs in C++ over all it has read at once (64 KB: ~2,000 pipelined
 * `GET /health`) and, for every request in it, builds a request and a response and queues
 * them on the connection until it closes, even once the socket is destroyed: 64 sockets
 * flooding at once took the web to 438 MB. Once a connection is closed for a bound, the
 * rest of that read is parsed into nothing: the parser hands its requests to no one, so
 * each is garbage at once. (Feeding the parser 4 KB slices from a JS 'data' listener
 * bounded this too, but took every request off Node's native read path: 42 µs of CPU per
 * `/rng` instead of 30.)
 */
function dropRestOfRead(socket: Socket): void {
  const parser = (socket as ParsingSocket).parser
  if (parser?.onIncoming) parser.onIncoming = ignoreRequest
}

/** One warn line per connection closed for going over a bound, with the running counts. */
export function logDisconnects(app: FastifyInstance): void {
  app.server.on(DISCONNECT_EVENT, (bound: keyof ConnectionCounts, counts: ConnectionCounts) => {
    app.log.warn({ bound, disconnected: counts }, 'connection closed: over a bound')
  })
}
