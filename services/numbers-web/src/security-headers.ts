// The security headers of every response, as @fastify/helmet defines them for the given
// options. The plugin builds a whole helmet middleware for each request (CSP parsed and
// serialised anew each time; the page served at 41% of node:http with it); these options
// have no nonce and no per-route override, so the headers are the same for every request:
// they are taken once, from the plugin itself, and set from a table.
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
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

/** Sets helmet's headers (for `options`) on every response that runs hooks, 404s included. */
export function useHelmetHeaders(app: FastifyInstance, options: FastifyHelmetOptions): void {
  let headers: Record<string, string> = {}
  app.addHook('onReady', async () => {
    headers = await helmetHeaders(options)
  })
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers)
    done()
  })
}
