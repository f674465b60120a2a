// The one way a test waits for something: poll a condition until a deadline, never a
// fixed sleep.

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
  const deadline = performance.now() + timeoutMs
  while (!(await condition())) {
    if (performance.now() > deadline) {
      throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
