// Hostile and broken HTTP against both services, as real processes on real
// sockets: every answer is a 4xx problem+json, nothing leaks, nothing crashes.
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { entryPoints, type ServiceProcess, startService, statusOf } from '../helpers/processes.ts'

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

/** No stack frames, file paths or internal error names in anything a client sees. */
function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat .+:\d+:\d+|\/work\/|node_modules|dist\/|Error:|FST_/)
}

const services = [
  // A big body: the API has no route that takes one (405 before reading it); the web's form has a limit.
  { name: 'numbers-api', entry: entryPoints.api, env: { FAIL_AFTER: '0' }, bigBody: ['/rng', 405] },
  {
    name: 'numbers-web',
    entry: entryPoints.web,
    env: { RNG_API_URL: 'http://127.0.0.1:1/rng' },
    bigBody: ['/', 413],
  },
] as const

describe.each(services)('$name under bad input', ({ entry, env, bigBody }) => {
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
    console.log(`bad inputs tried: ${triedInputs}`)
  })

  async function send(
    chunks: readonly string[],
    options?: { pauseMs?: number; timeoutMs?: number },
  ) {
    triedInputs += 1
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
    expect(await statusOf(`${service.url}/health`)).toBe(200)
  })
})
