// Finding the API by name, for undici's dns interceptor (rng-client.ts): every address the
// name resolves to, one answer used for API_DNS_TTL_MS, and a lookup that can neither outlast
// the connect deadline nor pile up while DNS is slow, with the last answer standing in when
// DNS fails.
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
 * How long past its time the last answer for the API's name stands in while the name does not
 * resolve, or not within the connect timeout. Under Compose a restarted API keeps its address
 * but leaves Docker's DNS while it is down, and a lookup made then can take seconds (below).
 */
export const API_DNS_STALE_MS = 30_000

/**
 * The interceptor looks a name up before the call reaches a connection, so neither the connect
 * timeout nor the call's own deadline covers the lookup, and it asks again for every call that
 * comes while an answer is missing. With the API down, Docker's DNS can take seconds to say
 * its name is unknown (4 s in the crash test). So:
 * - one lookup per name at a time, shared by every call that needs it;
 * - a call waits for it until `timeoutMs` (the connect timeout) after the lookup began, so
 *   calls that join a slow lookup late wait no longer than the first one;
 * - when the lookup fails or is not done by then, the last answer the name had (at most
 *   `staleMs` old) is used, else the call fails. Without that last step a lookup begun while
 *   the API was down failed every call for seconds after the API was healthy again: the crash
 *   test saw numbers back 2.2 s after Docker's check said healthy, every call in between
 *   "DNS lookup over 500 ms".
 */
export function boundedLookup(
  timeoutMs: number,
  resolve: Resolve = systemResolve,
  staleMs: number = API_DNS_STALE_MS,
): ApiLookup {
  type Lookup = { readonly answer: Promise<ApiAddress[]>; readonly deadline: number }
  const inFlight = new Map<string, Lookup>()
  const lastGood = new Map<string, { readonly addresses: ApiAddress[]; readonly at: number }>()

  function lookUp(hostname: string): Lookup {
    const answer = resolve(hostname)
    const lookup = { answer, deadline: performance.now() + timeoutMs }
    inFlight.set(hostname, lookup)
    answer
      .then(
        (addresses) => {
          if (addresses.length > 0) lastGood.set(hostname, { addresses, at: performance.now() })
        },
        () => {},
      )
      .finally(() => inFlight.delete(hostname))
    return lookup
  }

  return (origin, _options, callback) => {
    const { hostname } = origin
    const { answer, deadline } = inFlight.get(hostname) ?? lookUp(hostname)
    let settled = false
    const settle = (error: NodeJS.ErrnoException | null, addresses: ApiAddress[]) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const good = lastGood.get(hostname)
      const failed = error !== null || addresses.length === 0
      if (failed && good !== undefined && performance.now() - good.at <= staleMs) {
        callback(null, good.addresses)
      } else {
        callback(error, addresses)
      }
    }
    const timer = setTimeout(
      () => {
        const error: NodeJS.ErrnoException = new Error(
          `DNS lookup of ${hostname} took over ${timeoutMs} ms`,
        )
        error.code = TIMEOUT
        settle(error, [])
      },
      Math.max(0, deadline - performance.now()),
    )
    answer.then(
      (addresses) => settle(null, addresses),
      (error: NodeJS.ErrnoException) => settle(error, []),
    )
  }
}
