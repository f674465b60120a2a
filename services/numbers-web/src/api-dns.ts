// Finding the API by name, for undici's dns interceptor (rng-client.ts): every address the
// name resolves to, one answer used for API_DNS_TTL_MS, and a lookup that can neither outlast
// the connect deadline nor pile up while DNS is slow.
import { lookup, TIMEOUT } from 'node:dns/promises'

/**
 * How long one DNS answer for the API's name is used. The calls go round every address in
 * it, with a pool of connections per address: under Swarm (`endpoint_mode: dnsrr`) the name
 * resolves to each healthy task, so the calls are spread over the replicas, a new task gets
 * its share within this long of turning healthy, and a task Swarm takes out of DNS gets no new
 * call after this long. Swarm takes a task out 2 s before it sends SIGTERM, and the API serves
 * SHUTDOWN_DELAY_MS after that (2 s in the stack), so the last calls to a stopping task end
 * long before it stops accepting. An address given as an IP is used as it is.
 */
export const API_DNS_TTL_MS = 1000

/** One address the API's name resolved to; `ttl` in ms. */
export type ApiAddress = { readonly address: string; readonly family: 4 | 6; readonly ttl: number }

/** Every address of a host name (tests give their own; the system's resolver otherwise). */
export type Resolve = (hostname: string) => Promise<ApiAddress[]>

/** The lookup undici's dns interceptor calls, with a Node-style callback. */
export type ApiLookup = (
  origin: URL,
  options: unknown,
  callback: (error: NodeJS.ErrnoException | null, addresses: ApiAddress[]) => void,
) => void

/** getaddrinfo, as undici's own default lookup does it: every address, IPv4 first, no duplicates. */
export const systemResolve: Resolve = async (hostname) => {
  const found = await lookup(hostname, { all: true, order: 'ipv4first' })
  const unique = new Map(found.map((entry) => [`${entry.address}/${entry.family}`, entry]))
  return [...unique.values()].map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
    // The interceptor keeps an answer for the smaller of this and its maxTTL.
    ttl: Number.POSITIVE_INFINITY,
  }))
}

/**
 * The interceptor looks a name up before the call reaches a connection, so neither the connect
 * timeout nor the call's own deadline covers the lookup, and it asks again for every call that
 * comes while an answer is missing. With the API down, Docker's DNS passes its name on to the
 * host's resolvers, which can take seconds: one crash test answer took 4 s. So one lookup per
 * name at a time, shared by every call that needs it, and each call waits at most `timeoutMs`
 * for it (the connect timeout, as when the lookup was part of connecting).
 */
export function boundedLookup(timeoutMs: number, resolve: Resolve = systemResolve): ApiLookup {
  const inFlight = new Map<string, Promise<ApiAddress[]>>()
  return (origin, _options, callback) => {
    const { hostname } = origin
    let answer = inFlight.get(hostname)
    if (answer === undefined) {
      answer = resolve(hostname).finally(() => inFlight.delete(hostname))
      inFlight.set(hostname, answer)
    }
    let settled = false
    const settle = (error: NodeJS.ErrnoException | null, addresses: ApiAddress[]) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      callback(error, addresses)
    }
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error(
        `DNS lookup of ${hostname} took over ${timeoutMs} ms`,
      )
      error.code = TIMEOUT
      settle(error, [])
    }, timeoutMs)
    answer.then(
      (addresses) => settle(null, addresses),
      (error: NodeJS.ErrnoException) => settle(error, []),
    )
  }
}
