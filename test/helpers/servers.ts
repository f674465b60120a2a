// node:http servers a test starts itself: on loopback, on a port of the kernel's choice,
// closed with their connections when the test ends.
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'

/** Listens on 127.0.0.1 and returns the port; the server is closed when the test ends. */
export async function listenForTest(server: Server): Promise<number> {
  const port = await listenOnLoopback(server)
  onTestFinished(() => closeServer(server))
  return port
}

async function listenOnLoopback(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

/** Closes `server` and every connection it holds; a closed server is left as it is. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return
  server.closeAllConnections()
  server.close()
  await once(server, 'close')
}

export type StubApi = {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly origin: string
  readonly port: number
  /** `${origin}/rng`, for RNG_API_URL. */
  readonly rngUrl: string
  /** The paths asked for, in order. */
  readonly requests: string[]
  readonly close: () => Promise<void>
}

/**
 * A stand-in for numbers-api on loopback that answers however `handler` says. Closed
 * when the test ends; one started outside a test (in a beforeAll) passes
 * `{ closeAfterTest: false }` and is closed by its afterAll.
 */
export async function startStubApi(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  { closeAfterTest = true }: { readonly closeAfterTest?: boolean } = {},
): Promise<StubApi> {
  const requests: string[] = []
  const server = createServer((request, response) => {
    requests.push(request.url ?? '')
    handler(request, response)
  })
  const port = await (closeAfterTest ? listenForTest(server) : listenOnLoopback(server))
  const origin = `http://127.0.0.1:${port}`
  return { origin, port, rngUrl: `${origin}/rng`, requests, close: () => closeServer(server) }
}
