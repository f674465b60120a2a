import { describe, expect, it } from 'vitest'
import { captureLogs } from '../../../../test/helpers/apps.ts'
import { startStubApi } from '../../../../test/helpers/servers.ts'
import { answered, buildTestApp, fakeProbe } from '../helpers.ts'

describe('GET /api/number', () => {
  it('answers { "number": N } with the API\'s number', async () => {
    const api = await startStubApi((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('7')
    })
    const app = buildTestApp({ RNG_API_URL: api.rngUrl })
    const response = await app.inject('/api/number')
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.json()).toEqual({ number: 7 })
  })

  it('answers 503 problem+json without the cause, and logs the cause with the request id', async () => {
    const api = await startStubApi((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"secret":"stack"}')
    })
    const logs = captureLogs('warn')
    const { probe } = fakeProbe(answered(503), answered(500))
    const app = buildTestApp({ RNG_API_URL: api.rngUrl }, { probe, logger: logs.logger })
    const response = await app.inject('/api/number')
    expect(response.statusCode).toBe(503)
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    const problem = response.json()
    expect(problem).toMatchObject({
      type: 'urn:numbers:problem:rng-unavailable',
      title: 'RNG service unavailable',
      status: 503,
      instance: '/api/number',
    })
    expect(response.body).not.toContain('secret')
    const failure = logs.lines.find((line) => line.msg === 'rng call failed')
    expect(failure).toMatchObject({
      reqId: problem.traceId,
      cause: { code: 'NUMBERS_ERR_RNG_STATUS', status: 500 },
    })
  })

  it('a failed call costs the API no extra probe: the badge keeps its cache', async () => {
    const api = await startStubApi((_request, response) => response.writeHead(500).end())
    const { probe, calls } = fakeProbe(answered(200))
    const app = buildTestApp({ RNG_API_URL: api.rngUrl, API_STATUS_CACHE_MS: 60_000 }, { probe })
    expect((await app.inject('/api/status')).json()).toEqual({ api: 'healthy' })
    for (let call = 0; call < 10; call += 1) await app.inject('/api/number')
    expect((await app.inject('/api/status')).json()).toEqual({ api: 'healthy' })
    expect(calls).toEqual(['/ready'])
  })

  it('HEAD does not spend a call on the API', async () => {
    const api = await startStubApi((_request, response) => response.writeHead(200).end('7'))
    const app = buildTestApp({ RNG_API_URL: api.rngUrl })
    const response = await app.inject({ method: 'HEAD', url: '/api/number' })
    expect(response.statusCode).toBe(405)
    expect(api.requests).toEqual([])
  })

  it.each([
    ['GET', '/api/number'],
    ['POST', '/'],
  ] as const)(
    '%s %s from another site is refused with 403 and spends no call',
    async (method, url) => {
      const api = await startStubApi((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end('7')
      })
      const app = buildTestApp({ RNG_API_URL: api.rngUrl })
      const response = await app.inject({
        method,
        url,
        headers: { 'sec-fetch-site': 'cross-site' },
      })
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject({ type: 'urn:numbers:problem:cross-site', status: 403 })
      expect(api.requests).toEqual([])
    },
  )

  it("the page's own requests (same-origin) get their number", async () => {
    const api = await startStubApi((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('7')
    })
    const app = buildTestApp({ RNG_API_URL: api.rngUrl })
    const response = await app.inject({
      url: '/api/number',
      headers: { 'sec-fetch-site': 'same-origin' },
    })
    expect(response.json()).toEqual({ number: 7 })
  })
})

describe('cross-site requests over plain HTTP (no Sec-Fetch-Site)', () => {
  const browser = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0 Safari/537.36'

  async function appAndApi() {
    const api = await startStubApi((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('7')
    })
    return { api, app: buildTestApp({ RNG_API_URL: api.rngUrl }) }
  }

  it.each([
    ['an <img> or no-cors fetch: a browser without the page header', { 'user-agent': browser }],
    [
      'a cors fetch from another host',
      { 'user-agent': browser, 'x-numbers-page': '1', origin: 'http://evil.test' },
    ],
  ])('GET /api/number from %s is refused and spends no call', async (_name, headers) => {
    const { api, app } = await appAndApi()
    const response = await app.inject({
      url: '/api/number',
      headers: { host: 'victim.test', ...headers },
    })
    expect(response.statusCode).toBe(403)
    expect(api.requests).toEqual([])
  })

  it("GET /api/number from the page's script (a browser with the page header) gets its number", async () => {
    const { app } = await appAndApi()
    const response = await app.inject({
      url: '/api/number',
      headers: { host: 'victim.test', 'user-agent': browser, 'x-numbers-page': '1' },
    })
    expect(response.json()).toEqual({ number: 7 })
  })

  it.each([
    ['another host', 'http://evil.test'],
    ['the same name on another port', 'http://victim.test:8089'],
    ['"null" (a sandboxed frame)', 'null'],
  ])('POST / with an Origin of %s is refused and spends no call', async (_name, origin) => {
    const { api, app } = await appAndApi()
    const response = await app.inject({
      method: 'POST',
      url: '/',
      headers: { host: 'victim.test:8088', origin, 'user-agent': browser },
    })
    expect(response.statusCode).toBe(403)
    expect(api.requests).toEqual([])
  })

  it("POST / from this host's own form gets its number", async () => {
    const { app } = await appAndApi()
    const response = await app.inject({
      method: 'POST',
      url: '/',
      headers: {
        host: 'Victim.test:8088',
        origin: 'http://victim.test:8088',
        'user-agent': browser,
      },
    })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('Here it is: 7')
  })
})
