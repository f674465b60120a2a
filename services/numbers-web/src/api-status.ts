// What the page's badge says about the API, from two probes with http-check:
// /ready 200 → healthy; else /health 200 → starting, any other status →
// unhealthy; no answer at all → unreachable. One answer serves every browser
// for `cacheMs`, and concurrent askers share one in-flight probe: at most one probe
// per `cacheMs`, whatever happens to calls to /rng meanwhile.
import { type CheckOptions, type CheckResult, check } from 'http-check'
import type { RngOutcome } from './rng-client.ts'

export type ApiHealth = 'healthy' | 'starting' | 'unhealthy' | 'unreachable'

export type Probe = (url: URL, options: CheckOptions) => Promise<CheckResult>

export type ApiStatusOptions = {
  readonly readyUrl: URL
  readonly healthUrl: URL
  readonly timeoutMs: number
  readonly cacheMs: number
  readonly probe?: Probe
  readonly now?: () => number
  readonly onChange?: (health: ApiHealth, previous: ApiHealth | undefined) => void
}

export type ApiStatus = {
  readonly current: () => Promise<ApiHealth>
  /** The answer in the cache while it is fresh, without waiting; undefined when a probe is due. */
  readonly fresh: () => ApiHealth | undefined
  /** Ends an in-flight probe so shutdown does not wait for it. */
  readonly close: () => void
}

export function createApiStatus({
  readyUrl,
  healthUrl,
  timeoutMs,
  cacheMs,
  probe = check,
  now = performance.now.bind(performance),
  onChange,
}: ApiStatusOptions): ApiStatus {
  const closing = new AbortController()
  let cached: { health: ApiHealth; at: number } | undefined
  let inFlight: Promise<ApiHealth> | undefined
  let last: ApiHealth | undefined

  async function ask(): Promise<ApiHealth> {
    // One deadline for both probes: a page never waits more than timeoutMs for its badge.
    const deadline = now() + timeoutMs
    const ready = await probe(readyUrl, { timeoutMs, signal: closing.signal })
    if (ready.status === 200) return 'healthy'
    if (ready.status === undefined) return 'unreachable'
    const left = Math.max(1, Math.round(deadline - now()))
    const health = await probe(healthUrl, { timeoutMs: left, signal: closing.signal })
    if (health.status === undefined) return 'unreachable'
    return health.status === 200 ? 'starting' : 'unhealthy'
  }

  function fresh(): ApiHealth | undefined {
    return cached && now() - cached.at < cacheMs ? cached.health : undefined
  }

  function current(): Promise<ApiHealth> {
    const health = fresh()
    if (health !== undefined) return Promise.resolve(health)
    // check() reports failures as values; a throw would be a bug, and must not stick in the cache.
    inFlight ??= ask()
      .catch((): ApiHealth => 'unreachable')
      .then((health) => {
        cached = { health, at: now() }
        inFlight = undefined
        if (health !== last) onChange?.(health, last)
        last = health
        return health
      })
    return inFlight
  }

  return { current, fresh, close: () => closing.abort() }
}

/**
 * The badge for a page that has just called /rng. A failed call contradicts a cached
 * "healthy", and says more than a fresh probe could: it does so without costing the API a
 * probe (forgetting the cache on every failure made 100 probes a second under a flood).
 */
export function healthAfter(outcome: RngOutcome, cached: ApiHealth): ApiHealth {
  if (outcome.ok || cached !== 'healthy') return cached
  switch (outcome.cause.code) {
    case 'NUMBERS_ERR_RNG_TIMEOUT':
    case 'NUMBERS_ERR_RNG_UNREACHABLE':
      return 'unreachable'
    case 'NUMBERS_ERR_RNG_STATUS':
    case 'NUMBERS_ERR_RNG_BODY':
    case 'NUMBERS_ERR_RNG_TOO_LARGE':
      return 'unhealthy'
  }
  return cached
}
