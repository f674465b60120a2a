// Finding the API by name, for undici's dns interceptor (rng-client.ts): every address the
// name resolves to, one answer used for API_DNS_TTL_MS, and a lookup that can neither outlast
// the connect deadline nor pile up while DNS is slow, with the last answer standing in when
// DNS fails or is late.
import { lookup, TIMEOUT } from 'node:dns/promises'

/**
 * How long one DNS answer for the API's name is used. The calls go round every address in
 * it, with a pool of connections per address: under Swarm (`endpoint_mode: dnsrr`) the name
 * resolves to each healthy task, so the calls are spread over the replicas, a new task gets
 * its share within this long of turning healthy, and a task Swarm takes out of DNS gets no new
 * call after this long (while the DNS answers within the connect timeout: see boundedLookup,
 * which uses the last answer meanwhile). Swarm takes a task out 2 s before it sends SIGTERM, and the API serves
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
const systemResolve: Resolve = async (hostname) => {
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
const API_DNS_STALE_MS = 30_000

/**
 * Lookups of one name that may run at once. Node runs getaddrinfo on libuv's 4 threads, which
 * the services' file writes (their logs) share: a late lookup may be overtaken by one more,
 * not by one per call.
 */
const MAX_LOOKUPS_PER_NAME = 2

/**
 * The interceptor looks a name up before the call reaches a connection, so neither the connect
 * timeout nor the call's own deadline covers the lookup, and it asks again for every call that
 * comes while an answer is missing. With the API down, Docker's DNS can take seconds to say
 * its name is unknown (4 s in the crash test). So:
 * - calls that need an answer share the newest lookup of the name;
 * - a call waits for it until `timeoutMs` (the connect timeout) after the lookup began, so
 *   calls that join a slow lookup late wait no longer than the first one;
 * - when the lookup fails or is not done by then, the last answer the name had (at most
 *   `staleMs` old) is used, else the call fails. Without that a lookup begun while the API
 *   was down failed every call for seconds after the API was healthy again: the crash test
 *   saw numbers back 2.2 s after Docker's check said healthy, every call in between "DNS
 *   lookup over 500 ms";
 * - a lookup past its deadline is overtaken: the next call starts a new one (at most
 *   MAX_LOOKUPS_PER_NAME running), so a name that resolves again is not kept waiting on an
 *   old lookup once its last answer is too old to use.
 */
export function boundedLookup(
  timeoutMs: number,
  resolve: Resolve = systemResolve,
  staleMs: number = API_DNS_STALE_MS,
): ApiLookup {
  type Lookup = {
    readonly answer: Promise<ApiAddress[]>
    readonly deadline: number
    /** Set when a call's wait for it ran out (libuv's timers can fire a little before `deadline`). */
    late: boolean
  }
  type Answer = {
    readonly addresses: ApiAddress[]
    readonly at: number
    readonly startedAt: number
  }
  const newest = new Map<string, Lookup>()
  const running = new Map<string, number>()
  const lastGood = new Map<string, Answer>()

  function lookUp(hostname: string): Lookup {
    const startedAt = performance.now()
    const answer = resolve(hostname)
    const lookup: Lookup = { answer, deadline: startedAt + timeoutMs, late: false }
    newest.set(hostname, lookup)
    running.set(hostname, (running.get(hostname) ?? 0) + 1)
    answer
      .then(
        (addresses) => {
          // An overtaken lookup that ends last must not replace a newer answer.
          const good = lastGood.get(hostname)
          if (addresses.length > 0 && (good === undefined || good.startedAt <= startedAt)) {
            lastGood.set(hostname, { addresses, at: performance.now(), startedAt })
          }
        },
        () => {},
      )
      .finally(() => {
        running.set(hostname, (running.get(hostname) ?? 1) - 1)
        if (newest.get(hostname) === lookup) newest.delete(hostname)
      })
    return lookup
  }

  function lookupFor(hostname: string): Lookup {
    const lookup = newest.get(hostname)
    if (lookup === undefined) return lookUp(hostname)
    const late = lookup.late || performance.now() >= lookup.deadline
    return late && (running.get(hostname) ?? 0) < MAX_LOOKUPS_PER_NAME ? lookUp(hostname) : lookup
  }

  return (origin, _options, callback) => {
    const { hostname } = origin
    const current = lookupFor(hostname)
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
        current.late = true
        settle(error, [])
      },
      Math.max(0, current.deadline - performance.now()),
    )
    current.answer.then(
      (addresses) => settle(null, addresses),
      (error: NodeJS.ErrnoException) => settle(error, []),
    )
  }
}
