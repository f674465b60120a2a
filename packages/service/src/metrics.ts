// GET /metrics in the Prometheus text format, with prom-client: one registry per
// app (tests build many), the process's own metrics, and a request-duration
// histogram by route pattern, observed in callback hooks (no promise per request).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { observe, type Series, SeriesHistogram } from './histogram.ts'

/** Routes Fastify did not match (404s, scanners) share one label, so they cannot grow the series. */
export const UNMATCHED_ROUTE = 'unmatched'

let processRegistry: Registry | undefined
const registries = new WeakMap<FastifyInstance, Registry>()
const misnamedDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]

/**
 * Event-loop lag, heap, RSS, CPU...: properties of the process, not of an app. prom-client
 * starts an event-loop monitor and a GC observer per collecting registry and never stops
 * them, so they are collected once per process and shared by every app in it.
 */
export function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
    // Gauges named like counters, which `promtool check metrics` rejects; each is the sum
    // of a gauge that stays (`nodejs_active_handles` etc., by type).
    for (const name of misnamedDefaults) processRegistry.removeSingleMetric(name)
  }
  return processRegistry
}

/**
 * Adds `GET /metrics` (the app's registry, then the process's) and the
 * `http_request_duration_seconds` histogram, observed in `onResponse` with Fastify's own
 * elapsed time. Register it before the routes it should time.
 */
export function useMetrics(app: FastifyInstance, registry: Registry = new Registry()): Registry {
  const durations = new SeriesHistogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'],
  })
  registry.registerMetric(durations.asMetric())

  type Observer = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void
  /**
   * Times requests under one route label; each method and status finds its series once, by
   * two lookups that build nothing (a `${method} ${status}` key was a string per request).
   */
  function observerFor(route: string): Observer {
    const byMethod = new Map<string, Map<number, Series>>()
    return (request, reply, done) => {
      const { method } = request
      const { statusCode } = reply
      let byStatus = byMethod.get(method)
      if (byStatus === undefined) {
        byStatus = new Map()
        byMethod.set(method, byStatus)
      }
      let series = byStatus.get(statusCode)
      if (series === undefined) {
        series = durations.series({ method, route, status_code: String(statusCode) })
        byStatus.set(statusCode, series)
      }
      observe(series, reply.elapsedTime / 1000)
      done()
    }
  }

  // Each route gets its own hook with its pattern baked in: `request.routeOptions` builds a
  // new object on every read, which a hook shared by all routes would pay per request.
  app.addHook('onRoute', (route) => {
    const own = route.onResponse
    const hooks = own === undefined ? [] : Array.isArray(own) ? own : [own]
    route.onResponse = [...hooks, observerFor(route.url)]
  })
  const observeUnmatched = observerFor(UNMATCHED_ROUTE)
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) observeUnmatched(request, reply, done)
    else done()
  })

  registries.set(app, registry)
  const shared = processMetrics()
  app.get('/metrics', async (_request, reply) => {
    const [own, fromProcess] = await Promise.all([registry.metrics(), shared.metrics()])
    return reply
      .type(registry.contentType)
      .header('cache-control', 'no-store')
      .send(`${own}${fromProcess}`)
  })
  return registry
}

/** The app's own registry (not the process's), for the README's metrics table; undefined with METRICS=false. */
export function registryOf(app: FastifyInstance): Registry | undefined {
  return registries.get(app)
}
