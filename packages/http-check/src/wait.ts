// --wait: retry one target until it is healthy or the deadline passes. Every
// failure is "not yet": a name that does not resolve yet (ENOTFOUND, EAI_AGAIN
// while the container's DNS entry appears), a refused connection, a 5xx, a
// certificate not yet renewed. Only the deadline ends the wait.
import { nowMs } from './clock.ts'
import type { CheckResult } from './result.ts'

/** Wait mode's pauses double up to this (or the interval, if that is longer). */
const MAX_PAUSE_MS = 2000

type WaitOptions = {
  /** The longest one attempt may take; cut to the time left. */
  readonly timeoutMs: number
  /** nowMs() after which no attempt starts. */
  readonly deadline: number
  readonly intervalMs: number
  /** After every attempt that failed and will be retried. */
  readonly onRetry?: (result: CheckResult, attempt: number, pauseMs: number) => void
  /** After every attempt, failed or not. */
  readonly onAttempt?: (result: CheckResult) => void
}

export type WaitOutcome = { readonly result: CheckResult; readonly attempts: number }

/**
 * Pauses start at the interval and double up to 2 s: a dependency that is
 * nearly up is seen quickly, one that is down is not hammered. No attempt or
 * pause runs past the deadline.
 */
export async function untilHealthy(
  run: (timeoutMs: number) => Promise<CheckResult>,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const maxPauseMs = Math.max(options.intervalMs, MAX_PAUSE_MS)
  let pauseMs = options.intervalMs
  for (let attempt = 1; ; attempt++) {
    const remainingMs = Math.max(1, Math.ceil(options.deadline - nowMs()))
    const result = await run(Math.min(options.timeoutMs, remainingMs))
    options.onAttempt?.(result)
    const leftMs = options.deadline - nowMs()
    if (result.ok || leftMs <= 0) return { result, attempts: attempt }
    const nextPauseMs = Math.ceil(Math.min(pauseMs, leftMs))
    options.onRetry?.(result, attempt, nextPauseMs)
    await new Promise((resolve) => setTimeout(resolve, nextPauseMs))
    if (options.deadline - nowMs() <= 0) return { result, attempts: attempt }
    pauseMs = Math.min(pauseMs * 2, maxPauseMs)
  }
}
