// The life of a service process: validate config or exit 1, listen, and on
// SIGTERM/SIGINT turn not-ready, keep serving for SHUTDOWN_DELAY_MS, then stop
// accepting, let in-flight requests finish, exit 0.

import { setTimeout as sleep } from 'node:timers/promises'
import {
  type ConfigOf,
  isConfigError,
  type KeyUsedBy,
  keysUsedBy,
  loadConfig,
  type Service,
} from '@numbers/config'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import type { Logger, LoggerOptions } from 'pino'
import { loggerOptions } from './logger.ts'
import { createShutdown, type Shutdown } from './shutdown.ts'

export type RunOptions<S extends Service> = {
  /** Which keys it reads (the registry's usedBy); names the process in the line a bad config prints. */
  readonly name: S
  readonly build: (
    config: ConfigOf<KeyUsedBy<S>>,
    logger: LoggerOptions,
    /** Its /ready must answer 503 once this has begun. */
    shutdown: Shutdown,
  ) => FastifyInstance | Promise<FastifyInstance>
}

export async function runService<S extends Service>({
  name,
  build,
}: RunOptions<S>): Promise<FastifyInstance> {
  // A service's keys include the ones every service reads (KeyUsedBy<Service>): this function's.
  let config: ConfigOf<KeyUsedBy<S> | KeyUsedBy<Service>>
  let logger: LoggerOptions
  try {
    config = loadConfig<KeyUsedBy<S> | KeyUsedBy<Service>>(keysUsedBy(name))
    logger = loggerOptions(config.LOG_LEVEL, config.LOG_FORMAT)
  } catch (error) {
    if (!isConfigError(error)) throw error
    process.stderr.write(`${name}: ${error.message}\n`)
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
    // Every line out before the process exits: at exit pino writes what is queued at once,
    // ahead of a write still under way (a slow reader of stdout), so lines came out of order.
    await new Promise<void>((resolve) => (app.log as Logger).flush(() => resolve()))
  })
  await listen(app, config.HOST, config.PORT)
  return app
}

/** `::` takes IPv4 and IPv6 at once; a host without IPv6 gets `0.0.0.0` instead. */
async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    return await app.listen({ host, port })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (host !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw error
    app.log.warn({ code }, 'no IPv6 here; listening on 0.0.0.0')
    return app.listen({ host: '0.0.0.0', port })
  }
}
