// node:http servers a test starts itself: on loopback, on a port of the kernel's choice,
// closed with their connections when the test ends.
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'

/** Listens on 127.0.0.1 and returns the port; the server is closed when the test ends. */
export async function listenForTest(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => closeServer(server))
  return (server.address() as AddressInfo).port
}

/** Closes `server` and every connection it holds; a closed server is left as it is. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return
  server.closeAllConnections()
  server.close()
  await once(server, 'close')
}
