// The security headers of every response, as @fastify/helmet defines them for the given
// options. The plugin builds a whole helmet middleware for each request (CSP parsed and
// serialised anew each time; the page served at 41% of node:http with it); these options
// have no nonce and no per-route override, so the headers are the same for every request:
// they are taken once, from the plugin itself, and the server adds them to every answer
// where Node writes its head (@numbers/service setResponseHeaders). An onRequest hook
// setting them from a table still cost the page about as much as the rest of Fastify's
// work for it (README, Benchmarks); app.inject() answers, which skip the server, lack them.
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import { setResponseHeaders } from '@numbers/service'
import Fastify, { type FastifyInstance } from 'fastify'

/** The headers @fastify/helmet sets on a response, for these options. */
export async function helmetHeaders(
  options: FastifyHelmetOptions,
): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false })
  await probe.register(helmet, options)
  // At handler time only onRequest hooks have touched the raw response: helmet's alone.
  probe.get('/', (_request, reply) => reply.send(reply.raw.getHeaders()))
  try {
    const response = await probe.inject({ method: 'GET', url: '/' })
    return response.json<Record<string, string>>()
  } finally {
    await probe.close()
  }
}

/**
 * Every answer the app's server writes, 404s and framework errors included, carries helmet's
 * headers (for `options`); the app must listen with @numbers/service's serverOptions
 * (createServiceApp uses them).
 */
export function useHelmetHeaders(app: FastifyInstance, options: FastifyHelmetOptions): void {
  app.addHook('onReady', async () => {
    setResponseHeaders(app.server, await helmetHeaders(options))
  })
}
