// The one way tests and benchmarks wait for something: poll until a deadline, never a fixed
// sleep. waitFor returns what the probe found; waitUntil waits for a condition.

export type WaitOptions = {
  /** How long to poll before failing; 5 s by default. */
  readonly timeoutMs?: number
  /** The pause between polls; 10 ms by default. */
  readonly intervalMs?: number
  /** Names what was awaited in the failure. */
  readonly what?: string
}

/** Polls `condition` until it holds, or throws at the deadline. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 5000, intervalMs = 10, what = 'the condition' }: WaitOptions = {},
): Promise<void> {
  await waitFor(what, async () => ((await condition()) ? true : undefined), {
    timeoutMs,
    intervalMs,
  })
}

/** Polls `probe` until it returns something other than undefined, or fails at the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 200 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
      lastError = undefined
    } catch (error) {
      lastError = error
    }
    if (performance.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
