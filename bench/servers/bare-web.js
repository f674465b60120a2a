// The web → API baseline's "web": node:http answering `GET /api/number` with the JSON the
// web sends, after calling BARE_API_URL (a bare API's /rng) through an undici Pool as the
// web does. The same shape of work as numbers-web → numbers-api, without the frameworks,
// and the same bytes: the headers the web sent with its answer (BARE_NUMBER_HEADERS, a JSON
// object: its security headers and cache-control).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { Pool } from 'undici'

const api = new URL(process.env.BARE_API_URL ?? 'http://127.0.0.1:1/rng')
const pool = new Pool(api.origin, { connections: 64 })
const numberHeaders = process.env.BARE_NUMBER_HEADERS
  ? JSON.parse(readFileSync(process.env.BARE_NUMBER_HEADERS, 'utf8'))
  : { 'cache-control': 'no-store' }

createServer(async (request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Ok')
    return
  }
  try {
    const { statusCode, body } = await pool.request({
      method: 'GET',
      path: api.pathname,
      headers: { accept: 'application/json' },
    })
    const text = await body.text()
    if (statusCode !== 200) throw new Error(`status ${statusCode}`)
    const json = JSON.stringify({ number: Number(text) })
    response.writeHead(200, {
      ...numberHeaders,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    })
    response.end(json)
  } catch {
    response.writeHead(502).end()
  }
}).listen(Number(process.env.PORT), '127.0.0.1')
