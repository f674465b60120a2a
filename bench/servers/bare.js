// The baseline: node:http answering the same bytes as the service, with no
// framework, no logging and no validation. Whatever the service costs on top shows against it.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'

const port = Number(process.env.PORT)
const routes = {
  '/rng': ['application/json; charset=utf-8', '42'],
  '/health': ['text/plain; charset=utf-8', 'Ok'],
  // The web's page, as the web rendered it (BARE_PAGE_FILE), to compare page serving.
  '/': [
    'text/html; charset=utf-8',
    process.env.BARE_PAGE_FILE ? readFileSync(process.env.BARE_PAGE_FILE, 'utf8') : '',
  ],
}
// ...with the security headers the web sent with it (BARE_PAGE_HEADERS, a JSON object).
const pageHeaders = process.env.BARE_PAGE_HEADERS
  ? JSON.parse(readFileSync(process.env.BARE_PAGE_HEADERS, 'utf8'))
  : {}

createServer((request, response) => {
  const route = routes[request.url]
  if (route === undefined) {
    response.writeHead(404).end()
    return
  }
  response.writeHead(200, {
    ...(request.url === '/' ? pageHeaders : {}),
    'content-type': route[0],
    'content-length': Buffer.byteLength(route[1]),
  })
  response.end(route[1])
}).listen(port, '127.0.0.1')
