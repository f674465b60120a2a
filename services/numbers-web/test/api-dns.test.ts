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
  const dns = switchableDns()
  const lookup = boundedLookup(200, dns.resolve, 300)
  expect(await ask(lookup)).toMatchObject({ addresses: [ADDRESS] })

  dns.mode = 'fail'
  expect(await ask(lookup)).toMatchObject({ addresses: [ADDRESS] })
  await sleep(350)
  expect(await ask(lookup)).toMatchObject({ code: 'ENOTFOUND', addresses: [] })
  expect(dns.lookups).toBe(3)
})

test('a lookup that hangs: the first calls wait until its deadline, later ones not at all, all get the last addresses', async () => {
  const dns = switchableDns()
  const lookup = boundedLookup(200, dns.resolve)
  await ask(lookup)

  dns.mode = 'hang'
  const first = await Promise.all([ask(lookup), sleep(100).then(() => ask(lookup))])
  for (const answer of first) expect(answer).toMatchObject({ addresses: [ADDRESS] })
  // Both end at the lookup's deadline: the one that joined 100 ms late waits 100 ms, not 200.
  expect(first[0].ms).toBeGreaterThanOrEqual(190)
  expect(first[1].ms).toBeLessThan(190)
  const later = await ask(lookup)
  expect(later).toMatchObject({ addresses: [ADDRESS] })
  expect(later.ms).toBeLessThan(50)
  expect(dns.lookups).toBe(2)
})

test('a hung lookup is asked again once it ends, and the new answer is used', async () => {
  let release: (addresses: ApiAddress[]) => void = () => {}
  const moved: ApiAddress = { ...ADDRESS, address: '10.0.0.8' }
  let lookups = 0
  const lookup = boundedLookup(100, () => {
    lookups += 1
    return lookups === 1
      ? new Promise<ApiAddress[]>((resolve) => {
          release = resolve
        })
      : Promise.resolve([moved])
  })
  expect(await ask(lookup)).toMatchObject({ code: 'ETIMEOUT', addresses: [] })
  release([ADDRESS])
  await sleep(0)
  expect(await ask(lookup)).toMatchObject({ addresses: [moved] })
  expect(lookups).toBe(2)
})
