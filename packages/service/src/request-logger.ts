// A request's logger, made only when the request logs something. Fastify makes a pino
// child per request (bindings serialised, its level set anew) and a successful request
// logs nothing at the default level (log-controller.ts); this one costs an object until then,
// and its lines are the child's, with the request id (made then, request-id.ts) as reqId.
import type { IncomingMessage } from 'node:http'
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'
import type { Logger } from 'pino'
import { requestIdOf } from './request-id.ts'

type Method = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type Bindings = Record<string, unknown>
type ChildOptions = { level?: string } & Record<string, unknown>

class LazyRequestLogger {
  readonly #parent: Logger
  readonly #bindings: Bindings
  readonly #options: ChildOptions
  readonly #request: IncomingMessage
  #child: Logger | undefined

  constructor(parent: Logger, bindings: Bindings, options: ChildOptions, request: IncomingMessage) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
    this.#request = request
  }

  #logger(): Logger {
    this.#child ??= this.#parent.child(withId(this.#bindings, this.#request), this.#options)
    return this.#child
  }

  #log(method: Method, args: unknown[]): void {
    if (this.#child === undefined && !this.#parent.isLevelEnabled(method)) return
    ;(this.#logger()[method] as (...line: unknown[]) => void)(...args)
  }

  get level(): string {
    return this.#child?.level ?? this.#parent.level
  }
  set level(level: string) {
    this.#logger().level = level
  }
  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level)
  }
  fatal(...args: unknown[]): void {
    this.#log('fatal', args)
  }
  error(...args: unknown[]): void {
    this.#log('error', args)
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args)
  }
  info(...args: unknown[]): void {
    this.#log('info', args)
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args)
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args)
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options)
  }
}

/** Fastify's bindings with the request's id as reqId (Fastify's own `request.id` is empty). */
function withId(bindings: Bindings, request: IncomingMessage): Bindings {
  return { ...bindings, reqId: requestIdOf(request) }
}

/** Fastify's childLoggerFactory: the child is made on the request's first enabled line. */
export const lazyRequestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
  request,
) => {
  // No logging (`logger: false` gives a stand-in without levels), or a route with a level
  // of its own (none here today): the child as Fastify makes it.
  const level = (options as ChildOptions).level
  const isPino = typeof (logger as Partial<Logger>).isLevelEnabled === 'function'
  if (!isPino) return logger.child(bindings, options)
  if (level !== undefined && level !== logger.level) {
    return logger.child(withId(bindings, request), options)
  }
  return new LazyRequestLogger(
    logger as unknown as Logger,
    bindings,
    options as ChildOptions,
    request,
  ) as unknown as FastifyBaseLogger
}
