// The framework floor: Fastify with nothing of ours (no logger, no hooks, no bounded server,
// no metrics), answering the same bytes as bare.js (/rng, /health, and the web's page with
// its headers: BARE_PAGE_FILE, BARE_PAGE_HEADERS) and, given BARE_API_URL, the web's
// /api/number through an undici Pool as bare-web.js does (BARE_NUMBER_HEADERS). What a
// service costs beyond this server is ours; what this server costs beyond node:http is Fastify's.
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import { Pool } from 'undici'

const json = (file) => (file ? JSON.parse(readFileSync(file, 'utf8')) : {})
const page = process.env.BARE_PAGE_FILE ? readFileSync(process.env.BARE_PAGE_FILE, 'utf8') : ''
const pageHeaders = json(process.env.BARE_PAGE_HEADERS)
const numberHeaders = json(process.env.BARE_NUMBER_HEADERS)

const app = Fastify({ logger: false })
app.get('/rng', (_request, reply) => reply.type('application/json; charset=utf-8').send('42'))
app.get('/health', (_request, reply) => reply.type('text/plain; charset=utf-8').send('Ok'))
app.get('/', (_request, reply) =>
  reply.headers(pageHeaders).type('text/html; charset=utf-8').send(page),
)
if (process.env.BARE_API_URL) {
  const api = new URL(process.env.BARE_API_URL)
  const pool = new Pool(api.origin, { connections: 64 })
  app.get('/api/number', async (_request, reply) => {
    const { statusCode, body } = await pool.request({
      method: 'GET',
      path: api.pathname,
      headers: { accept: 'application/json' },
    })
    const text = await body.text()
    if (statusCode !== 200) throw new Error(`status ${statusCode}`)
    return reply
      .headers(numberHeaders)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ number: Number(text) }))
  })
}
// node:http's default, as bare.js has it (Fastify's own is 72 s).
app.server.keepAliveTimeout = 5000
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
