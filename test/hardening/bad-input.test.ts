// Hostile and broken HTTP against both services, as real processes on real
// sockets: every answer is a 4xx problem+json, nothing leaks, nothing crashes.
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { entryPoints, type ServiceProcess, startService, statusOf } from '../../tools/processes.ts'

type RawResponse = { status: number; headers: string; body: string; raw: string }

/** Sends bytes as given (in chunks, with pauses if asked) and reads until the server closes. */
async function rawExchange(
  port: number,
  chunks: readonly string[],
  { pauseMs = 0, timeoutMs = 5000 } = {},
): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  socket.setEncoding('latin1')
  let received = ''
  socket.on('data', (text: string) => {
    received += text
  })
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => resolve())
    socket.on('error', () => resolve())
  })
  const deadline = setTimeout(() => socket.destroy(), timeoutMs)
  for (const chunk of chunks) {
    if (socket.destroyed) break
    socket.write(chunk)
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
  }
  await closed
  clearTimeout(deadline)
  return received
}

function parseResponses(raw: string): RawResponse[] {
  const responses: RawResponse[] = []
  let rest = raw
  while (rest.startsWith('HTTP/1.1 ')) {
    const headerEnd = rest.indexOf('\r\n\r\n')
    const headers = rest.slice(0, headerEnd)
    const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0)
    const body = rest.slice(headerEnd + 4, headerEnd + 4 + length)
    responses.push({ status: Number(headers.slice(9, 12)), headers, body, raw })
    rest = rest.slice(headerEnd + 4 + length)
  }
  return responses
}

function expectProblem(response: RawResponse | undefined, status: number): void {
  expect(response?.status, response?.raw.slice(0, 300)).toBe(status)
  expect(response?.headers).toMatch(/content-type: application\/problem\+json/i)
  const problem = JSON.parse(response?.body ?? '')
  expect(problem).toMatchObject({ status, title: expect.any(String), traceId: expect.any(String) })
  expectNoLeak(response?.body ?? '')
}

/**
 * A request whose body cannot be framed: the parser's 400 problem+json, and the connection
 * closes. Before the body is read, the route may refuse the request first: the API has no
 * POST / (404), and the web's form takes no body without its content type (415).
 */
function expectFourXxThen400(responses: readonly RawResponse[]): void {
  expect(responses.length).toBeGreaterThan(0)
  expect(responses.length).toBeLessThanOrEqual(2)
  for (const response of responses) {
    expect([400, 404, 415]).toContain(response.status)
    expectProblem(response, response.status)
  }
  expect(responses.at(-1)?.status).toBe(400)
}

/** No stack frames, file paths or internal error names in anything a client sees. */
function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat .+:\d+:\d+|\/work\/|node_modules|dist\/|Error:|FST_/)
}

const services = [
  // A big body: the API has no route that takes one (405 before reading it); the web's form has a limit.
  // A long path parameter: only the web has a route with one (/static/:file, at most 100 characters).
  {
    name: 'numbers-api',
    entry: entryPoints.api,
    env: { FAIL_AFTER: '0' },
    bigBody: ['/rng', 405],
    longParam: 404,
  },
  {
    name: 'numbers-web',
    entry: entryPoints.web,
    env: { RNG_API_URL: 'http://127.0.0.1:1/rng' },
    bigBody: ['/', 413],
    longParam: 414,
  },
] as const

/** Both services together; the total is printed once, for the README's figures. */
let allTriedInputs = 0
afterAll(() => {
  console.log(`hardening: ${allTriedInputs} hostile HTTP inputs sent to the two services`)
})

const closing = 'Host: x\r\nConnection: close\r\n\r\n'

describe.each(services)('$name under bad input', ({ entry, env, bigBody, longParam }) => {
  let service: ServiceProcess
  let triedInputs = 0
  beforeAll(async () => {
    service = await startService(entry, { env: { ...env, REQUEST_TIMEOUT_MS: '500' } })
  })
  afterAll(async () => {
    // Still alive and serving after everything below.
    expect(await statusOf(`${service.url}/health`)).toBe(200)
    expect(service.child.exitCode).toBeNull()
    await service.stop()
    // Nothing on the way out either: no stack, no crash report.
    expect(service.output().stderr).toBe('')
    console.log(`bad inputs tried: ${triedInputs}`)
  })

  async function send(
    chunks: readonly string[],
    options?: { pauseMs?: number; timeoutMs?: number },
  ) {
    triedInputs += 1
    allTriedInputs += 1
    return parseResponses(await rawExchange(service.port, chunks, options))
  }

  it.each([
    ['an unknown path', 'GET /no/such/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
    [
      'a path traversal',
      'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      404,
    ],
    ['a wrong method', 'DELETE /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 405],
    ['a made-up method', 'BREW /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
    ['a broken request line', 'GET\r\n\r\n', 400],
    ['binary garbage', '\u0000\u0001\u0002\u00ff\r\n\r\n', 400],
    ['a bad header line', 'GET /health HTTP/1.1\r\nHost x\r\n\r\n', 400],
    [
      'a huge header',
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
    ['a huge URL', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ['a bad content length', 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', 400],
  ])('%s gets a problem+json answer', async (_name, request, status) => {
    const [response] = await send([request])
    expectProblem(response, status)
  })

  it('a body larger than the service takes is refused with a problem+json answer', async () => {
    const [path, status] = bigBody
    const form = 'a=1&'.repeat(25_000)
    const [response] = await send([
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${form.length}\r\nConnection: close\r\n\r\n${form}`,
    ])
    expectProblem(response, status)
  })

  it.each([
    '/health?%',
    '/health?a=%zz&b',
    '/health?a[b]=1&a[c]=2',
    `/health?${'x=1&'.repeat(2000)}`,
  ])('a bad query string %# is ignored where the route reads none', async (path) => {
    const [response] = await send([`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`])
    expect(response?.status).toBe(200)
  })

  it('a slowloris client that never finishes its headers gets 408 within the request timeout', async () => {
    const started = performance.now()
    const [response] = await send(
      ['GET /health HTTP/1.1\r\n', 'Host: x\r\n', 'X-a: 1\r\n', 'X-b: 1\r\n', 'X-c: 1\r\n'],
      {
        pauseMs: 300,
      },
    )
    expectProblem(response, 408)
    expect(performance.now() - started).toBeLessThan(3000)
  })

  it('pipelined requests are all answered, in order', async () => {
    const one = 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n'
    const responses = await send([
      `${one}GET /nope HTTP/1.1\r\nHost: x\r\n\r\n${one.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')}`,
    ])
    expect(responses.map((response) => response.status)).toEqual([200, 404, 200])
  })

  it('a request aborted halfway does not disturb the next one', async () => {
    const socket = connect(service.port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\nContent-Le')
    socket.destroy()
    triedInputs += 1
    allTriedInputs += 1
    expect(await statusOf(`${service.url}/health`)).toBe(200)
  })

  it.each([
    ['/%zz', 'a bad escape'],
    ['/health%ZZ', 'a bad escape after a real path'],
    ['/%', 'a lone percent sign'],
    ['/static/%E0%A4%A', 'a truncated UTF-8 escape'],
    ['/%zz<script>alert(1)</script>', 'a bad escape and markup'],
  ])('a path with invalid percent-encoding (%s: %s) gets 400 problem+json', async (path) => {
    const [response] = await send([`GET ${path} HTTP/1.1\r\n${closing}`])
    expectProblem(response, 400)
    // The answer echoes the path, so it must not be sniffed as a document.
    expect(response?.headers).toMatch(/x-content-type-options: nosniff/i)
  })

  it.each([
    ['/:x(', 'an unclosed regexp'],
    ['/:x(\\d+)', 'a regexp parameter'],
    ['/*/x', 'a wildcard before the end'],
    ['/health/*', 'a wildcard after a route'],
    ['/static/:file(', 'a pattern on a parametric route'],
  ])('a path of route-pattern syntax (%s: %s) gets a 404 problem, not a 500', async (path) => {
    const [response] = await send([`GET ${path} HTTP/1.1\r\n${closing}`])
    expectProblem(response, 404)
  })

  it('a 15 KB path of route-pattern syntax costs what a short unknown path costs', async () => {
    const REQUESTS = 100
    // `/:a-:a-...` was parsed as a route pattern on every 404: ~7 ms of CPU per method tried.
    const patternPath = `/${':a-'.repeat(5000)}`
    const timePaths = async (path: string) => {
      const startedAt = performance.now()
      for (let sent = 0; sent < REQUESTS; sent += 1) {
        const response = await fetch(`${service.url}${path}`, { signal: AbortSignal.timeout(5000) })
        await response.body?.cancel()
        expect(response.status).toBe(404)
      }
      return (performance.now() - startedAt) / REQUESTS
    }
    const shortMs = await timePaths('/no-such-path')
    const patternMs = await timePaths(patternPath)
    triedInputs += REQUESTS
    allTriedInputs += REQUESTS
    console.log(
      `hardening: 15 KB pattern path ${patternMs.toFixed(2)} ms per request, short path ${shortMs.toFixed(2)} ms`,
    )
    // Parsing 15 KB of request line is not free; a pattern compiled per method costs 50× more.
    expect(patternMs).toBeLessThan(shortMs + 2)
  })

  it('a path parameter longer than the router takes gets a problem+json answer', async () => {
    const [response] = await send([`GET /static/${'a'.repeat(150)} HTTP/1.1\r\n${closing}`])
    expectProblem(response, longParam)
  })

  it.each([
    ['an invalid chunk size', 'zz\r\nabc\r\n0\r\n\r\n'],
    ['a chunk shorter than announced', '5\r\nab\r\n0\r\n\r\n'],
    ['a chunk with no CRLF after it', '3\r\nabcXY0\r\n\r\n'],
    ['a chunk size past 2^64', 'fffffffffffffffffff\r\na\r\n0\r\n\r\n'],
    ['a 20 KB chunk extension', `1;${'a'.repeat(20_000)}\r\nx\r\n0\r\n\r\n`],
  ])(
    'a chunked body with %s ends in 400 problem+json and a closed connection',
    async (_name, body) => {
      const responses = await send([
        'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n' +
          `Content-Type: application/x-www-form-urlencoded\r\n\r\n${body}`,
      ])
      expectFourXxThen400(responses)
    },
  )

  // Each would let a front proxy and this server disagree on where a request ends
  // (request smuggling): refused whole, and the request hidden in the body never runs.
  const smuggled = 'GET /no-such-smuggled-path HTTP/1.1\r\nHost: x\r\n\r\n'
  it.each([
    ['two different Content-Lengths', 'Content-Length: 3\r\nContent-Length: 5\r\n', 'a=1bb'],
    ['a list in Content-Length', 'Content-Length: 5, 5\r\n', 'a=1bb'],
    ['a signed Content-Length', 'Content-Length: +5\r\n', 'a=1bb'],
    ['a Content-Length past 2^64', 'Content-Length: 99999999999999999999\r\n', ''],
    [
      'Content-Length and Transfer-Encoding (CL.TE)',
      `Content-Length: 6\r\nTransfer-Encoding: chunked\r\n`,
      `0\r\n\r\n${smuggled}`,
    ],
    [
      'Transfer-Encoding and Content-Length (TE.CL)',
      `Transfer-Encoding: chunked\r\nContent-Length: 4\r\n`,
      `5c\r\n${smuggled}\r\n0\r\n\r\n`,
    ],
    [
      'two Transfer-Encodings (TE.TE)',
      'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n',
      `0\r\n\r\n${smuggled}`,
    ],
    ['chunked not last', 'Transfer-Encoding: chunked, identity\r\n', `0\r\n\r\n${smuggled}`],
    ['a space before the colon', 'Transfer-Encoding : chunked\r\n', `0\r\n\r\n${smuggled}`],
    ['an obfuscated coding', 'Transfer-Encoding: xchunked\r\n', `0\r\n\r\n${smuggled}`],
    ['a folded header', 'Transfer-Encoding:\r\n chunked\r\n', `0\r\n\r\n${smuggled}`],
  ])(
    'a body framed with %s is refused with 400 and nothing smuggled runs',
    async (_name, framing, body) => {
      const responses = await send([`POST / HTTP/1.1\r\nHost: x\r\n${framing}\r\n${body}`])
      expectFourXxThen400(responses)
      expect(responses[0]?.raw).not.toContain('no-such-smuggled-path')
    },
  )

  it.each([
    ['OPTIONS /', 'OPTIONS / HTTP/1.1'],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1'],
    ['OPTIONS /health', 'OPTIONS /health HTTP/1.1'],
    ['TRACE /', 'TRACE / HTTP/1.1'],
    ['TRACE /health', 'TRACE /health HTTP/1.1'],
  ])('%s gets 404 or 405 problem+json and never echoes the request', async (_name, line) => {
    const [response] = await send([
      `${line}\r\nCookie: session=s3cr3t-cookie\r\nX-Secret: s3cr3t-header\r\n${closing}`,
    ])
    expect([404, 405]).toContain(response?.status)
    expectProblem(response, response?.status ?? 0)
    expect(response?.raw).not.toMatch(/s3cr3t/)
    expect(response?.headers).not.toMatch(/access-control-allow/i)
  })

  it.each([
    ['a NUL in a header value', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n'],
    ['a bare CR in a header value', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n'],
    ['a space before a header colon', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n'],
    ['a folded header line', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n'],
    ['bare LF line endings', 'GET /health HTTP/1.1\nHost: x\n\n'],
    ['an unknown HTTP version', 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['a control character in the path', 'GET /he\u0001alth HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a space in the path', 'GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('%s gets 400 problem+json', async (_name, request) => {
    const [response] = await send([request])
    expectProblem(response, 400)
  })

  it('an HTTP/1.1 request without Host gets an empty 400 from Node, and the connection closes', async () => {
    // Node's http server answers this itself, before Fastify: no body, so nothing to leak.
    const [response] = await send(['GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'])
    expect(response?.status).toBe(400)
    expect(response?.raw).toMatch(/connection: close/i)
    expectNoLeak(response?.raw ?? '')
  })

  it('CONNECT is not tunnelled: the connection closes with no answer', async () => {
    const responses = await send(['CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n'])
    expect(responses).toEqual([])
  })

  it.each([
    ['broken JSON', 'application/json', '{"a":'],
    ['JSON with __proto__', 'application/json', '{"__proto__":{"polluted":1}}'],
    [
      'a form with __proto__',
      'application/x-www-form-urlencoded',
      '__proto__[x]=1&constructor[p]=1',
    ],
    ['XML', 'application/xml', '<a/>'],
    ['no content type', '', 'x'],
  ])('a POST with %s never gets a 5xx', async (_name, type, body) => {
    const [response] = await send([
      `POST / HTTP/1.1\r\nHost: x\r\n${type ? `Content-Type: ${type}\r\n` : ''}` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    ])
    expect(response?.status).toBeLessThan(500)
    expectNoLeak(response?.body ?? '')
    if (response?.status !== 200) expectProblem(response, response?.status ?? 0)
  })
})
