// The call counter behind the lesson: FAIL_AFTER good numbers, then unhealthy
// until the process restarts. Single-threaded, so the count is exact under any concurrency.

export type RngStateOptions = {
  /** Good `/rng` calls before the service turns unhealthy; 0 = never. */
  readonly failAfter: number
  /** Unhealthy from the start: a bad release. */
  readonly broken: boolean
  /** Not ready for this long after start. */
  readonly startupDelayMs: number
  readonly now?: () => number
}

/** What one `/rng` call got: a number, the number that used up the last good call, or nothing. */
export type Draw =
  | { readonly kind: 'number'; readonly value: number; readonly turnedUnhealthy: boolean }
  | { readonly kind: 'unhealthy' }

/** Why the service is unhealthy: the `BROKEN` switch, or every one of its `FAIL_AFTER` calls served. */
export type UnhealthyCause = 'broken' | 'used-up'

export type RngState = {
  /** FAIL_AFTER: good calls before it turns unhealthy; 0 = never. */
  readonly failAfter: number
  readonly callsServed: () => number
  /** `/rng` calls answered with no number because the service was unhealthy. */
  readonly callsRefused: () => number
  readonly isHealthy: () => boolean
  /** undefined while healthy. */
  readonly unhealthyCause: () => UnhealthyCause | undefined
  readonly isStarting: () => boolean
  readonly draw: () => Draw
}

export function createRngState({
  failAfter,
  broken,
  startupDelayMs,
  now = performance.now.bind(performance),
}: RngStateOptions): RngState {
  const readyAt = now() + startupDelayMs
  let callsServed = 0
  let callsRefused = 0
  const isHealthy = () => !broken && (failAfter === 0 || callsServed < failAfter)
  return {
    failAfter,
    callsServed: () => callsServed,
    callsRefused: () => callsRefused,
    isHealthy,
    unhealthyCause: () => (broken ? 'broken' : isHealthy() ? undefined : 'used-up'),
    isStarting: () => now() < readyAt,
    draw: () => {
      if (!isHealthy()) {
        callsRefused += 1
        return { kind: 'unhealthy' }
      }
      callsServed += 1
      const value = Math.floor(Math.random() * 100)
      return { kind: 'number', value, turnedUnhealthy: !isHealthy() }
    },
  }
}
