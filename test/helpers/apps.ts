// Fastify apps built by tests: the registry's defaults with a test's overrides, closed
// when the test ends, and their log lines captured for the test to read.
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { onTestFinished } from 'vitest'

/**
 * A service's test builder: `build(config, options)` gives its app with `defaults`
 * overridden by `config`, closed when the test ends.
 */
export function testAppBuilder<Config, Options extends { readonly config: Config }>(
  buildApp: (options: Options) => FastifyInstance,
  defaults: Config,
) {
  return (
    config: Partial<Config> = {},
    options: Omit<Options, 'config'> = {} as Omit<Options, 'config'>,
  ): FastifyInstance => {
    const app = buildApp({ ...options, config: { ...defaults, ...config } } as Options)
    onTestFinished(() => app.close())
    return app
  }
}

export type LogLine = { level: number; msg: string; reqId?: string; [field: string]: unknown }

/** pino writes to `logger` (an app's `logger` option); `lines` holds what it wrote, parsed. */
export function captureLogs(level = 'debug'): {
  logger: { level: string; stream: Writable }
  lines: LogLine[]
} {
  const lines: LogLine[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) {
        if (text) lines.push(JSON.parse(text) as LogLine)
      }
      done()
    },
  })
  return { logger: { level, stream }, lines }
}
