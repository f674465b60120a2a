// The web's client for the API's /rng with an API name that resolves to two addresses, as
// Swarm's DNS gives one per replica: calls go round them, an address DNS stops giving gets no
// more calls, a call whose connection closes is retried on the other replica, and a slow DNS
// costs no more than the connect timeout.
import { once } from 'node:events'
import { createServer, type RequestListener } from 'node:http'
import { expect, onTestFinished, test } from 'vitest'
import { closeServer, listenForTest } from '../../../test/helpers/servers.ts'
import { freePort } from '../../../tools/processes.ts'
import { waitUntil } from '../../../tools/wait.ts'
import type { ApiAddress } from '../src/api-dns.ts'
import { createRngClient } from '../src/rng-client.ts'

const FIRST = '127.0.0.1'
const SECOND = '127.0.0.2'

type Replica = (answer: () => void, destroy: () => void) => void
const answers: Replica = (answer) => answer()

/** Two stand-in API tasks on one port, at 127.0.0.1 and 127.0.0.2; counts the calls each got. */
async function twoReplicas(first: Replica = answers, second: Replica = answers) {
  const calls: Record<string, number> = { [FIRST]: 0, [SECOND]: 0 }
  const listener =
    (address: string, replica: Replica): RequestListener =>
    (request, response) => {
      calls[address] = (calls[address] ?? 0) + 1
      replica(
        () => response.writeHead(200, { 'content-type': 'application/json' }).end('42'),
        () => request.socket.destroy(),
      )
    }
  const port = await listenForTest(createServer(listener(FIRST, first)))
  const other = createServer(listener(SECOND, second))
  other.listen(port, SECOND)
  await once(other, 'listening')
  onTestFinished(() => closeServer(other))
  return { port, calls }
}

/** A name server the test controls: answers with `addresses`, and counts the lookups. */
function fakeDns(addresses: string[]) {
  const dns = {
    addresses,
    lookups: 0,
    resolve: async (): Promise<ApiAddress[]> => {
      dns.lookups += 1
      return dns.addresses.map((address) => ({ address, family: 4, ttl: 60_000 }))
    },
  }
  return dns
}

function clientOf(
  port: number,
  resolve: () => Promise<ApiAddress[]>,
  { dnsTtlMs, connectTimeoutMs = 500 }: { dnsTtlMs?: number; connectTimeoutMs?: number } = {},
) {
  const rng = createRngClient({
    url: new URL(`http://numbers-api.test:${port}/rng`),
    timeoutMs: 1000,
    connectTimeoutMs,
    resolve,
    ...(dnsTtlMs === undefined ? {} : { dnsTtlMs }),
  })
  onTestFinished(() => rng.close())
  return rng
}

test('calls go round every address the API name resolves to, one lookup for all of them', async () => {
  const { port, calls } = await twoReplicas()
  const dns = fakeDns([FIRST, SECOND])
  const rng = clientOf(port, dns.resolve)
  for (let call = 1; call <= 10; call += 1) {
    expect(await rng.draw()).toEqual({ ok: true, number: 42 })
  }
  expect(calls).toEqual({ [FIRST]: 5, [SECOND]: 5 })
  expect(dns.lookups).toBe(1)
})

test('an address the name no longer resolves to gets no call once the DNS answer has expired', async () => {
  const { port, calls } = await twoReplicas()
  const dns = fakeDns([FIRST, SECOND])
  const rng = clientOf(port, dns.resolve, { dnsTtlMs: 100 })
  await rng.draw()
  await rng.draw()
  expect(calls).toEqual({ [FIRST]: 1, [SECOND]: 1 })

  dns.addresses = [SECOND]
  await waitUntil(
    async () => {
      await rng.draw()
      return dns.lookups > 1
    },
    { timeoutMs: 2000, what: 'a new lookup' },
  )
  const firstCalls = calls[FIRST]
  for (let call = 1; call <= 10; call += 1) {
    expect(await rng.draw()).toEqual({ ok: true, number: 42 })
  }
  expect(calls[FIRST]).toBe(firstCalls)
})

test('a call whose connection closes before the answer is retried on the other replica', async () => {
  const { port, calls } = await twoReplicas(
    (_answer, destroy) => destroy(),
    (answer) => answer(),
  )
  const rng = clientOf(port, fakeDns([FIRST, SECOND]).resolve)
  for (let call = 1; call <= 10; call += 1) {
    expect(await rng.draw()).toMatchObject({ ok: true, number: 42 })
  }
  // Every number came from the second replica; every call the first one dropped was retried.
  expect(calls[SECOND]).toBe(10)
  expect(calls[FIRST]).toBeGreaterThan(0)
  expect(rng.counts().retried).toBe(calls[FIRST])
})

test('a DNS lookup that hangs fails its calls at the connect timeout, and calls meanwhile share it', async () => {
  let lookups = 0
  const hangs = () => {
    lookups += 1
    return new Promise<ApiAddress[]>(() => {})
  }
  const rng = clientOf(await freePort(), hangs, { connectTimeoutMs: 200 })
  const startedAt = performance.now()
  const outcomes = await Promise.all(Array.from({ length: 20 }, () => rng.draw()))
  const elapsedMs = performance.now() - startedAt
  for (const outcome of outcomes) {
    expect(outcome).toEqual({
      ok: false,
      cause: { code: 'NUMBERS_ERR_RNG_TIMEOUT', detail: 'DNS lookup over 200 ms' },
    })
  }
  expect(elapsedMs).toBeGreaterThanOrEqual(190)
  expect(elapsedMs).toBeLessThan(200 + 500)
  expect(lookups).toBe(1)
})
