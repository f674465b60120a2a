// Time for deadlines and the figures in result lines.

/**
 * Milliseconds on a monotonic clock. Not performance.now(): the first touch of
 * the `performance` global loads perf_hooks and a dozen modules at start-up.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}
