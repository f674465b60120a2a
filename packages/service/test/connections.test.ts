// The bounded server on its own, on loopback: a client that leaves a large answer unread
// is disconnected after the request timeout; one that comes back for it sooner is not.
import { once } from 'node:events'
import { connect } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listenForTest } from '../../../test/helpers/servers.ts'
import { waitUntil } from '../../../tools/wait.ts'
import {
  type ConnectionCounts,
  createBoundedServer,
  DISCONNECT_EVENT,
  MAX_PIPELINED,
} from '../src/connections.ts'

const REQUEST_TIMEOUT_MS = 1000
/** More than loopback's socket buffers take, so the server's own buffer fills. */
const ANSWER = Buffer.alloc(16 * 1024 * 1024, 'x')

async function serverAnsweringLarge() {
  const server = createBoundedServer((_request, response) => response.end(ANSWER), {
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  })
  const disconnects: (keyof ConnectionCounts)[] = []
  server.on(DISCONNECT_EVENT, (bound: keyof ConnectionCounts) => disconnects.push(bound))
  return { port: await listenForTest(server), disconnects }
}

describe('a client that does not read its answers', () => {
  it('is disconnected once its answers sit unread for the request timeout', async () => {
    const { port, disconnects } = await serverAnsweringLarge()
    const socket = connect(port, '127.0.0.1')
    onTestFinished(() => {
      socket.destroy()
    })
    socket.pause()
    socket.on('error', () => {})
    await once(socket, 'connect')
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    const startedAt = performance.now()
    await waitUntil(() => disconnects.length > 0, { what: 'a disconnect' })
    expect(disconnects).toEqual(['notReading'])
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 10)
  })

  it('that comes back for its answer within the timeout gets all of it', async () => {
    const { port, disconnects } = await serverAnsweringLarge()
    const socket = connect(port, '127.0.0.1')
    onTestFinished(() => {
      socket.destroy()
    })
    socket.pause()
    await once(socket, 'connect')
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    // Away for a fifth of the timeout (a busy client), then reads at full speed.
    await new Promise((resolve) => setTimeout(resolve, REQUEST_TIMEOUT_MS / 5))
    let received = 0
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length
    })
    socket.resume()
    await once(socket, 'close')
    expect(disconnects).toEqual([])
    expect(received).toBeGreaterThan(ANSWER.length)
  })
})

describe('a client that pipelines past the bound in one write', () => {
  it('is closed, and the rest of that read builds no request', async () => {
    let handled = 0
    const server = createBoundedServer(
      (_request, response) => {
        handled += 1
        response.end('Ok')
      },
      { requestTimeoutMs: REQUEST_TIMEOUT_MS },
    )
    const disconnects: (keyof ConnectionCounts)[] = []
    server.on(DISCONNECT_EVENT, (bound: keyof ConnectionCounts) => disconnects.push(bound))
    // Every request Node builds (request and response objects) is emitted here.
    let built = 0
    server.on('request', () => {
      built += 1
    })
    const socket = connect(await listenForTest(server), '127.0.0.1')
    onTestFinished(() => {
      socket.destroy()
    })
    socket.on('error', () => {})
    socket.resume()
    await once(socket, 'connect')
    // ~1,000 requests in one read of Node's parser, none of them answered before the next.
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(1000))
    await once(socket, 'close')
    expect(disconnects).toEqual(['tooManyPipelined'])
    expect(handled).toBeLessThanOrEqual(MAX_PIPELINED)
    expect(built).toBe(MAX_PIPELINED + 1)
  })
})
