// boundedLookup on its own: one lookup shared, a deadline counted from the lookup's start, and
// the last answer standing in while the name does not resolve, for at most `staleMs`.
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, test } from 'vitest'
import { type ApiAddress, type ApiLookup, boundedLookup } from '../src/api-dns.ts'

const origin = new URL('http://numbers-api/rng')
const ADDRESS: ApiAddress = { address: '10.0.0.7', family: 4, ttl: Number.POSITIVE_INFINITY }

/** A name server the test switches: it answers, fails as for an unknown name, or never answers. */
function switchableDns() {
  const dns = {
    mode: 'answer' as 'answer' | 'fail' | 'hang',
    lookups: 0,
    resolve: (): Promise<ApiAddress[]> => {
      dns.lookups += 1
      if (dns.mode === 'answer') return Promise.resolve([ADDRESS])
      if (dns.mode === 'hang') return new Promise(() => {})
      const error: NodeJS.ErrnoException = new Error('getaddrinfo ENOTFOUND numbers-api')
      error.code = 'ENOTFOUND'
      return Promise.reject(error)
    },
  }
  return dns
}

/** A boundedLookup over a switchable name server, after the name has answered once. */
async function answeredOnce(timeoutMs: number, staleMs?: number) {
  const dns = switchableDns()
  const lookup = boundedLookup(timeoutMs, dns.resolve, staleMs)
  expect(await ask(lookup)).toMatchObject({ addresses: [ADDRESS] })
  return { dns, lookup }
}

function ask(lookup: ApiLookup) {
  const startedAt = performance.now()
  return new Promise<{ code?: string; addresses: ApiAddress[]; ms: number }>((resolve) => {
    lookup(origin, {}, (error, addresses) => {
      const ms = performance.now() - startedAt
      resolve(error ? { code: error.code ?? '?', addresses, ms } : { addresses, ms })
    })
  })
}

test('a name that stops resolving is answered with its last addresses, for at most staleMs', async () => {
  const { dns, lookup } = await answeredOnce(200, 300)

  dns.mode = 'fail'
  expect(await ask(lookup)).toMatchObject({ addresses: [ADDRESS] })
  await sleep(350)
  expect(await ask(lookup)).toMatchObject({ code: 'ENOTFOUND', addresses: [] })
  expect(dns.lookups).toBe(3)
})

test('a lookup that hangs: calls wait until its deadline at most, then use the last addresses', async () => {
  const { dns, lookup } = await answeredOnce(200)

  dns.mode = 'hang'
  const answers = await Promise.all([ask(lookup), sleep(100).then(() => ask(lookup))])
  for (const answer of answers) expect(answer).toMatchObject({ addresses: [ADDRESS] })
  // Both end at the lookup's deadline: the one that joined 100 ms late waits 100 ms, not 200.
  expect(answers[0].ms).toBeGreaterThanOrEqual(190)
  expect(answers[1].ms).toBeLessThan(190)
  expect(dns.lookups).toBe(2)
})

test('a late lookup is overtaken by one more, not by one per call', async () => {
  const { dns, lookup } = await answeredOnce(100)

  dns.mode = 'hang'
  await ask(lookup) // the 2nd lookup, late after 100 ms
  const overtaking = await ask(lookup) // starts a 3rd, which waits its own 100 ms
  expect(overtaking).toMatchObject({ addresses: [ADDRESS] })
  expect(overtaking.ms).toBeGreaterThanOrEqual(90)
  expect(dns.lookups).toBe(3)
  // MAX_LOOKUPS_PER_NAME (2) hang: later calls start none and have the last addresses at once.
  const later = await Promise.all(Array.from({ length: 5 }, () => ask(lookup)))
  for (const answer of later) {
    expect(answer).toMatchObject({ addresses: [ADDRESS] })
    expect(answer.ms).toBeLessThan(90)
  }
  expect(dns.lookups).toBe(3)
})

test('a name that resolves again after its last answer is too old is not kept waiting on a hung lookup', async () => {
  const { dns, lookup } = await answeredOnce(100, 50)

  dns.mode = 'hang'
  await sleep(60)
  expect(await ask(lookup)).toMatchObject({ code: 'ETIMEOUT', addresses: [] })
  dns.mode = 'answer'
  expect(await ask(lookup)).toMatchObject({ addresses: [ADDRESS] })
  expect(dns.lookups).toBe(3)
})

test('an overtaken lookup that ends last does not replace the newer answer', async () => {
  let release: (addresses: ApiAddress[]) => void = () => {}
  const moved: ApiAddress = { ...ADDRESS, address: '10.0.0.8' }
  let lookups = 0
  const lookup = boundedLookup(100, () => {
    lookups += 1
    if (lookups === 1) {
      return new Promise<ApiAddress[]>((resolve) => {
        release = resolve
      })
    }
    if (lookups === 2) return Promise.resolve([moved])
    return Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }))
  })
  expect(await ask(lookup)).toMatchObject({ code: 'ETIMEOUT', addresses: [] })
  expect(await ask(lookup)).toMatchObject({ addresses: [moved] })
  release([ADDRESS])
  await sleep(0)
  // The name fails now: the last answer standing in is the 2nd lookup's, not the 1st's.
  expect(await ask(lookup)).toMatchObject({ addresses: [moved] })
  expect(lookups).toBe(3)
})
