// The life of a service process: validate config or exit 1, listen, and on
// SIGTERM/SIGINT turn not-ready, keep serving for SHUTDOWN_DELAY_MS, then stop
// accepting, let in-flight requests finish, exit 0.
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigError, type ConfigOf, type KeyName, loadConfig } from '@numbers/config'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import type { LoggerOptions } from 'pino'
import { loggerOptions } from './logger.ts'
import { createShutdown, type Shutdown } from './shutdown.ts'

export type ServiceKey =
  | 'HOST'
  | 'PORT'
  | 'LOG_LEVEL'
  | 'LOG_FORMAT'
  | 'SHUTDOWN_GRACE_MS'
  | 'SHUTDOWN_DELAY_MS'
export const serviceKeys = [
  'HOST',
  'PORT',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'SHUTDOWN_GRACE_MS',
  'SHUTDOWN_DELAY_MS',
] as const satisfies readonly ServiceKey[]

export type RunOptions<K extends KeyName> = {
  /** Names the process in the one line printed when its configuration is bad. */
  readonly name: string
  readonly keys: readonly K[]
  readonly build: (
    config: ConfigOf<K | ServiceKey>,
    logger: LoggerOptions,
    /** Its /ready must answer 503 once this has begun. */
    shutdown: Shutdown,
  ) => FastifyInstance | Promise<FastifyInstance>
}

export async function runService<K extends KeyName>({
  name,
  keys,
  build,
}: RunOptions<K>): Promise<FastifyInstance> {
  let config: ConfigOf<K | ServiceKey>
  let logger: LoggerOptions
  try {
    config = loadConfig<K | ServiceKey>([...serviceKeys, ...keys])
    logger = loggerOptions(config.LOG_LEVEL, config.LOG_FORMAT)
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : (error as Error).message
    process.stderr.write(`${name}: ${message}\n`)
    process.exit(1)
  }
  const shutdown = createShutdown()
  const app = await build(config, logger, shutdown)
  const delayMs = config.SHUTDOWN_DELAY_MS
  // The grace period is for the drain; the delay comes before it.
  closeWithGrace({ delay: delayMs + config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    shutdown.begin()
    if (err) {
      app.log.fatal({ err }, 'crashed')
    } else {
      app.log.info({ signal, delayMs }, 'shutting down')
      if (delayMs > 0) {
        await sleep(delayMs)
        app.log.info('delay over; closing')
      }
    }
    await app.close()
    app.log.info('closed')
  })
  await listen(app, config.HOST, config.PORT)
  return app
}

/** `::` takes IPv4 and IPv6 at once; a host without IPv6 gets `0.0.0.0` instead. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    return await app.listen({ host, port })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (host !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw error
    app.log.warn({ code }, 'no IPv6 here; listening on 0.0.0.0')
    return app.listen({ host: '0.0.0.0', port })
  }
}
