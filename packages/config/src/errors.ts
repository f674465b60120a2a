// The one error @numbers/config throws, and how to know it: by its `code`, as fastify's
// errors are known, not by its class (a bundle or a second copy of the package has
// its own class, never its own code).

/** Every code this package's errors carry, and what it means. */
export const errorCodes = {
  NUMBERS_ERR_CONFIG: 'the configuration cannot be used; `problems` says why, one per key',
} as const

export class ConfigError extends Error {
  readonly code = 'NUMBERS_ERR_CONFIG' satisfies keyof typeof errorCodes
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return (error as { code?: unknown } | null)?.code === 'NUMBERS_ERR_CONFIG'
}
