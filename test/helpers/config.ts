// What a config load refused: the problems of its ConfigError, or a failure
// saying the bad value was accepted.
import { isConfigError, keys } from '../../packages/config/src/index.ts'

export function problemsOf(run: () => unknown): readonly string[] {
  try {
    run()
  } catch (error) {
    if (isConfigError(error)) return error.problems
    throw error
  }
  throw new Error('expected a ConfigError, and the value was accepted')
}

/** Good /rng calls before the API turns unhealthy when nothing sets FAIL_AFTER: the registry's default. */
export const DEFAULT_FAIL_AFTER = keys.FAIL_AFTER.schema.default
