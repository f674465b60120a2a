// `localhost` means loopback, both families, whatever /etc/hosts says (RFC 6761;
// curl does the same). Many hosts list only `127.0.0.1 localhost`, others put
// ::1 first, and a server may listen on either one alone (wait-on #109, #133).
// Handing both addresses to Node's happy-eyeballs connect makes every case work:
// a refused loopback address fails in well under a millisecond.
import type { LookupAddress } from 'node:dns'
import type { LookupFunction } from 'node:net'

const loopbackAddresses: readonly LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
]

export function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost')
}

/** A `lookup` for net.connect that answers loopback names without asking the resolver. */
export const lookupLoopback = ((_hostname, options, callback) => {
  const requested = typeof options === 'object' ? options.family : options
  const family = requested === 'IPv4' ? 4 : requested === 'IPv6' ? 6 : requested
  const addresses = loopbackAddresses.filter(
    (entry) => family === undefined || family === 0 || family === entry.family,
  )
  if (typeof options === 'object' && options.all) {
    process.nextTick(callback, null, addresses)
    return
  }
  const first = addresses[0] ?? { address: '127.0.0.1', family: 4 }
  process.nextTick(callback, null, first.address, first.family)
}) as LookupFunction
