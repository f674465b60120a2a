// What a hostile client or a hostile API can do to the services, as real processes on
// loopback: the web sends its security headers on every answer, never renders what the API
// says beyond a validated integer, and nobody can reset, reconfigure or redirect a service
// over HTTP: fault switches and URLs come from the environment only.
import { once } from 'node:events'
import { connect } from 'node:net'
import { Pool } from 'undici'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { freePort, type ServiceProcess, startApi, startWeb } from '../../tools/processes.ts'
import { type StubApi, startStubApi } from '../helpers/servers.ts'

let requestsSent = 0
afterAll(() => {
  console.log(`hardening: ${requestsSent} hostile or probing requests in the security checks`)
})

type Answer = { status: number; headers: Headers; body: string }

async function ask(url: string, init: RequestInit = {}): Promise<Answer> {
  requestsSent += 1
  const response = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(5000),
    ...init,
  })
  return { status: response.status, headers: response.headers, body: await response.text() }
}

const form = { 'content-type': 'application/x-www-form-urlencoded' }

// ---------------------------------------------------------------- headers

/** What @fastify/helmet sets with the web's options (services/numbers-web/src/app.ts). */
const securityHeaders: Record<string, RegExp> = {
  'content-security-policy':
    /^default-src 'self';script-src 'self';script-src-attr 'none';style-src 'self';img-src 'self';connect-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'$/,
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^SAMEORIGIN$/,
  'referrer-policy': /^same-origin$/,
  'cross-origin-opener-policy': /^same-origin$/,
  'cross-origin-resource-policy': /^same-origin$/,
  'origin-agent-cluster': /^\?1$/,
  'x-dns-prefetch-control': /^off$/,
  'x-permitted-cross-domain-policies': /^none$/,
  'x-download-options': /^noopen$/,
  'x-xss-protection': /^0$/,
}

function expectSecurityHeaders(answer: Answer, what: string): void {
  for (const [name, value] of Object.entries(securityHeaders)) {
    expect(answer.headers.get(name), `${what}: ${name}`).toMatch(value)
  }
  expect(answer.headers.get('x-powered-by'), what).toBeNull()
  expect(answer.headers.get('server'), what).toBeNull()
}

describe('numbers-web security headers', () => {
  let api: StubApi
  let up: ServiceProcess
  let down: ServiceProcess
  beforeAll(async () => {
    api = await startStubApi(
      (request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(request.url === '/rng' ? '42' : 'Ok')
      },
      { closeAfterTest: false },
    )
    ;[up, down] = await Promise.all([
      startWeb({ env: { RNG_API_URL: api.rngUrl } }),
      startWeb({ env: { RNG_API_URL: `http://127.0.0.1:${await freePort()}/rng` } }),
    ])
  })
  afterAll(async () => {
    await Promise.all([up?.stop(), down?.stop(), api?.close()])
  })

  it('are on every answer a route or Fastify gives: pages, API, static files, 4xx and 5xx', async () => {
    const page = await ask(`${up.url}/`)
    const assets = [...page.body.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map(
      (m) => m[1] ?? '',
    )
    expect(assets).toHaveLength(3)
    const requests: [string, string, RequestInit, number][] = [
      ['the page', `${up.url}/`, {}, 200],
      ['HEAD of the page', `${up.url}/`, { method: 'HEAD' }, 200],
      ['the form', `${up.url}/`, { method: 'POST', headers: form, body: '' }, 200],
      ['a number', `${up.url}/api/number`, {}, 200],
      ['the badge', `${up.url}/api/status`, {}, 200],
      ...assets.map((path): [string, string, RequestInit, number] => [
        path,
        `${up.url}${path}`,
        {},
        200,
      ]),
      ['liveness', `${up.url}/health`, {}, 200],
      ['readiness', `${up.url}/ready`, {}, 200],
      ['no such file', `${up.url}/static/nope.js`, {}, 404],
      ['no such path', `${up.url}/nope`, {}, 404],
      ['a wrong method', `${up.url}/`, { method: 'DELETE' }, 405],
      ['OPTIONS', `${up.url}/api/number`, { method: 'OPTIONS' }, 405],
      [
        'a form too large',
        `${up.url}/`,
        { method: 'POST', headers: form, body: 'a=1&'.repeat(5000) },
        413,
      ],
      [
        'a body of another type',
        `${up.url}/`,
        { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' },
        415,
      ],
      [
        'broken JSON',
        `${up.url}/`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' },
        400,
      ],
      ['no number', `${down.url}/api/number`, {}, 503],
      ['not ready', `${down.url}/ready`, {}, 503],
      ['the form, unavailable', `${down.url}/`, { method: 'POST', headers: form, body: '' }, 200],
    ]
    for (const [what, url, init, status] of requests) {
      const answer = await ask(url, init)
      expect(answer.status, what).toBe(status)
      expectSecurityHeaders(answer, what)
    }
  })

  it('URLs the router cannot read get a problem with nosniff and a CSP that allows nothing', async () => {
    // These answers skip every hook, helmet's too; packages/service/src/client-errors.ts sets these two.
    for (const [path, status] of [
      ['/%zz<script>alert(1)</script>', 400],
      [`/static/${'a'.repeat(150)}`, 414],
    ] as const) {
      const answer = await ask(`${up.url}${path}`)
      expect(answer.status).toBe(status)
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
      expect(answer.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      )
    }
  })

  it('answers written on the raw socket echo nothing of the request, so they need no headers', async () => {
    // Node rejects these before Fastify (431, 400, 408); packages/service/src/client-errors.ts writes
    // a fixed problem+json: Node's error code and a fresh traceId, never a byte of the request.
    const marker = 'PWNED<script>alert(1)</script>'
    for (const request of [
      `GET /${marker} HTTP/1.1\r\nHost: x\r\nX-Big: ${marker}${'a'.repeat(20_000)}\r\n\r\n`,
      `GET /${marker} HTTP/1.1\r\nHost: x\r\nX-Bad : ${marker}\r\n\r\n`,
    ]) {
      requestsSent += 1
      const socket = connect(up.port, '127.0.0.1')
      socket.setEncoding('latin1')
      let raw = ''
      socket.on('data', (text: string) => {
        raw += text
      })
      socket.write(request)
      await once(socket, 'close')
      const [head = '', body = ''] = raw.split('\r\n\r\n')
      expect(head).toMatch(/^HTTP\/1\.1 4\d\d /)
      expect(head).toMatch(/content-type: application\/problem\+json/i)
      expect(Object.keys(JSON.parse(body)).sort()).toEqual(
        ['detail', 'status', 'title', 'traceId', 'type'].sort(),
      )
      expect(raw).not.toContain('PWNED')
    }
  })
})

// ---------------------------------------------------------------- hostile API bodies

describe('numbers-web with a hostile API', () => {
  const hostile = [
    '<script>alert("PWNED")</script>',
    '"<img src=x onerror=alert(\'PWNED\')>"',
    '42<script>PWNED</script>',
    '42\n<script>PWNED</script>',
    '{"number":"<script>PWNED</script>"}',
    '{"number":42,"html":"<b>PWNED</b>"}',
    '[42,"PWNED"]',
    '"\\u003cscript\\u003ePWNED"',
    ' 42 PWNED',
    '</p><p>PWNED',
  ]
  let current = { status: 200, body: '42' }
  let api: StubApi
  let web: ServiceProcess
  beforeAll(async () => {
    // Every path answers the hostile body: /rng, and the /ready and /health the badge probes.
    api = await startStubApi(
      (_request, response) => {
        response.writeHead(current.status, 'PWNED', {
          'content-type': 'text/html',
          'x-pwned': 'PWNED',
        })
        response.end(current.body)
      },
      { closeAfterTest: false },
    )
    web = await startWeb({ env: { RNG_API_URL: api.rngUrl, API_STATUS_CACHE_MS: '0' } })
  })
  afterAll(async () => {
    await Promise.all([web?.stop(), api?.close()])
  })

  async function everythingTheWebServes(): Promise<Answer[]> {
    return [
      await ask(`${web.url}/api/number`),
      await ask(`${web.url}/`, { method: 'POST', headers: form, body: '' }),
      await ask(`${web.url}/`),
      await ask(`${web.url}/api/status`),
      await ask(`${web.url}/ready`),
    ]
  }

  it('renders a valid integer (the check below is not vacuous)', async () => {
    current = { status: 200, body: '42' }
    const [number, page] = await everythingTheWebServes()
    expect(JSON.parse(number?.body ?? '')).toEqual({ number: 42 })
    expect(page?.body).toContain('Here it is: 42')
  })

  it.each(hostile.flatMap((body) => [200, 500, 503].map((status) => [status, body] as const)))(
    'an API answering %i %j: nothing of it in any page, JSON or header',
    async (status, body) => {
      current = { status, body }
      for (const answer of await everythingTheWebServes()) {
        expect(answer.body).not.toContain('PWNED')
        expect([...answer.headers.values()].join('\n')).not.toContain('PWNED')
      }
    },
  )
})

// ---------------------------------------------------------------- no remote switches

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
const paths = [
  '/',
  '/rng',
  '/health',
  '/ready',
  '/reset',
  '/config',
  '/admin',
  '/debug',
  '/rng/reset',
]
const attempts: { query: string; headers: Record<string, string>; body?: string }[] = [
  { query: '?FAIL_AFTER=0', headers: {} },
  { query: '?BROKEN=false&FAIL_AFTER=0&reset=1', headers: {} },
  { query: '', headers: { 'x-fail-after': '0', 'x-reset': '1' } },
  {
    query: '',
    headers: { 'content-type': 'application/json' },
    body: '{"FAIL_AFTER":0,"BROKEN":false,"reset":true}',
  },
  {
    query: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'FAIL_AFTER=0',
  },
]

/** Every method × path × attempt; bodies only where the method may carry one. */
function* switchAttempts() {
  for (const method of methods) {
    for (const path of paths) {
      for (const attempt of attempts) {
        if (attempt.body !== undefined && (method === 'GET' || method === 'HEAD')) continue
        yield {
          method,
          path: `${path}${attempt.query}`,
          headers: attempt.headers,
          body: attempt.body,
        }
      }
    }
  }
}

async function sendAll(pool: Pool): Promise<{ request: string; status: number }[]> {
  const answers = []
  for (const { method, path, headers, body } of switchAttempts()) {
    requestsSent += 1
    const response = await pool.request({ method, path, headers, ...(body ? { body } : {}) })
    await response.body.dump()
    answers.push({ request: `${method} ${path}`, status: response.statusCode })
  }
  return answers
}

describe('no route lets a remote caller reset or reconfigure the API', () => {
  it('once unhealthy, it stays so whatever is sent to any path', async () => {
    const api = await startApi({ env: { FAIL_AFTER: '1' } })
    const pool = new Pool(api.url)
    onTestFinished(async () => {
      await pool.close()
      await api.stop()
    })
    expect((await ask(`${api.url}/rng`)).status).toBe(200)
    expect((await ask(`${api.url}/rng`)).status).toBe(500)

    const answers = await sendAll(pool)
    // Nothing is accepted: 404/405/415, or the unhealthy 500/503 of the real routes.
    expect(answers.filter((answer) => answer.status < 400)).toEqual([])
    expect((await ask(`${api.url}/rng`)).status).toBe(500)
    expect((await ask(`${api.url}/health`)).status).toBe(500)
    expect((await ask(`${api.url}/ready`)).status).toBe(503)
  }, 20_000)
})

describe('no request makes the web call another URL than RNG_API_URL', () => {
  it('query strings, bodies, Host and forwarding headers, absolute-form targets: the canary hears nothing', async () => {
    const api = await startStubApi((_request, response) => response.end('42'))
    const canary = await startStubApi((_request, response) => response.end('42'))
    const web = await startWeb({
      env: { RNG_API_URL: api.rngUrl, API_STATUS_CACHE_MS: '0' },
    })
    const pool = new Pool(web.url)
    onTestFinished(async () => {
      await pool.close()
      await web.stop()
    })
    const elsewhere = canary.rngUrl
    const query = `?RNG_API_URL=${encodeURIComponent(elsewhere)}&url=${encodeURIComponent(elsewhere)}`
    const tries = [
      { method: 'GET', path: `/api/number${query}` },
      { method: 'GET', path: `/api/status${query}` },
      { method: 'GET', path: `/ready${query}` },
      {
        method: 'POST',
        path: `/${query}`,
        headers: form,
        body: `RNG_API_URL=${encodeURIComponent(elsewhere)}`,
      },
      {
        method: 'GET',
        path: '/api/number',
        headers: {
          host: `127.0.0.1:${canary.port}`,
          'x-forwarded-host': `127.0.0.1:${canary.port}`,
          'x-forwarded-for': '127.0.0.1',
          forwarded: `host=127.0.0.1:${canary.port}`,
          'x-original-url': elsewhere,
          'x-rewrite-url': elsewhere,
        },
      },
      ...['POST', 'PUT', 'PATCH', 'DELETE'].flatMap((method) =>
        ['/config', '/admin', '/reset', '/api/config'].map((path) => ({
          method,
          path,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ RNG_API_URL: elsewhere }),
        })),
      ),
    ]
    for (const { method, path, headers, body } of tries) {
      requestsSent += 1
      const response = await pool.request({
        method,
        path,
        headers: headers ?? {},
        ...(body ? { body } : {}),
      })
      await response.body.dump()
      expect(response.statusCode).toBeLessThan(500)
    }
    // An absolute-form request line names the canary as the target: routed by path, not proxied.
    requestsSent += 1
    const socket = connect(web.port, '127.0.0.1')
    socket.write(`GET ${canary.origin}/api/number HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    socket.resume()
    await once(socket, 'close')

    expect(canary.requests).toEqual([])
    expect(new Set(api.requests)).toEqual(new Set(['/rng', '/ready']))
  }, 20_000)
})
