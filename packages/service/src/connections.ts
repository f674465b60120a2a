// What one connection, and the server as a whole, may hold. Node parses every request
// pipelined in what it has read before any answer exists, and answers into the socket's
// buffer whether the client reads or not: ~0.5 MB of `GET /` on one socket took the web
// from 89 MB to 362 MB RSS. The server these services listen with disconnects a client
// that pipelines past MAX_PIPELINED unanswered requests, leaves MAX_UNREAD_BYTES of answers
// unread, or leaves a full buffer unread for REQUEST_TIMEOUT_MS; everyone else is served.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

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
/** Bytes handed to Node's parser at a time: at most ~140 pipelined `GET /` before a check. */
export const PARSE_SLICE_BYTES = 4096

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

const unanswered = new WeakMap<Socket, number>()
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

  const server = createServer(
    // Node checks request deadlines on this beat (30 s by default): keep it close to them.
    { connectionsCheckingInterval: Math.min(1000, requestTimeoutMs) },
    (request, response) => {
      const socket = request.socket
      if (socket.destroyed) return
      const pending = (unanswered.get(socket) ?? 0) + 1
      if (pending > MAX_PIPELINED) return disconnect(socket, 'tooManyPipelined')
      if (socket.writableLength > MAX_UNREAD_BYTES) return disconnect(socket, 'tooMuchUnread')
      unanswered.set(socket, pending)
      response.once('close', () => {
        unanswered.set(socket, (unanswered.get(socket) ?? 1) - 1)
      })
      response.once('prefinish', () => watchUnread(socket))
      handler(request, response)
    },
  )
  server.on('connection', parseInSlices)
  server.requestTimeout = requestTimeoutMs
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS
  server.maxConnections = MAX_CONNECTIONS
  return server
}

/**
 * Node parses all it has read (64 KB: ~2,400 pipelined `GET /`) in one go, and holds every
 * request of it until the socket closes, even once the handler has destroyed the socket:
 * 64 sockets flooding at once took the web to 438 MB. Handing the parser a few KB at a time
 * lets a destroyed socket stop there. While Node has paused the socket (its answers are
 * not being read), the rest waits in the socket's buffer, as Node itself would have it.
 */
function parseInSlices(socket: Socket): void {
  const nodeListeners = socket.listeners('data') as ((chunk: Buffer) => void)[]
  for (const listener of nodeListeners) socket.removeListener('data', listener)
  socket.on('data', (chunk: Buffer) => {
    for (let at = 0; at < chunk.length; at += PARSE_SLICE_BYTES) {
      if (socket.destroyed) return
      if (socket.isPaused()) {
        socket.unshift(chunk.subarray(at))
        return
      }
      const slice = chunk.subarray(at, at + PARSE_SLICE_BYTES)
      for (const listener of nodeListeners) listener.call(socket, slice)
    }
  })
}

/** One warn line per connection closed for going over a bound, with the running counts. */
export function logDisconnects(app: FastifyInstance): void {
  app.server.on(DISCONNECT_EVENT, (bound: keyof ConnectionCounts, counts: ConnectionCounts) => {
    app.log.warn({ bound, disconnected: counts }, 'connection closed: over a bound')
  })
}
