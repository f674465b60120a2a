// The web against a real numbers-api process (services/numbers-api/dist), and
// against a stand-in API that answers garbage, over real sockets.
import type { ServerResponse } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { captureLogs } from '../../../test/helpers/apps.ts'
import { DEFAULT_FAIL_AFTER } from '../../../test/helpers/config.ts'
import { startStubApi } from '../../../test/helpers/servers.ts'
import { freePort, type ServiceProcess, startApi } from '../../../tools/processes.ts'
import { waitUntil } from '../../../tools/wait.ts'
import type { WebConfig } from '../src/app.ts'
import { MAX_WAITING_RNG_CALLS, RNG_CONNECTIONS } from '../src/rng-client.ts'
import { listenWeb } from './helpers.ts'

async function api(env: Record<string, string> = {}, port?: number): Promise<ServiceProcess> {
  const service = await startApi(port === undefined ? { env } : { env, port })
  onTestFinished(async () => {
    await service.stop()
  })
  return service
}

async function getJson(url: string): Promise<{ status: number; body: unknown; type: string }> {
  const response = await fetch(url)
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.json(),
  }
}

const unavailable = {
  status: 503,
  type: 'application/problem+json; charset=utf-8',
  body: expect.objectContaining({ type: 'urn:numbers:problem:rng-unavailable' }),
}

describe('numbers-web with a real numbers-api', () => {
  it(`${DEFAULT_FAIL_AFTER} numbers, then "RNG service unavailable!" and an unhealthy badge`, async () => {
    const rng = await api()
    const web = await listenWeb({ RNG_API_URL: `${rng.url}/rng` })
    for (let call = 1; call <= DEFAULT_FAIL_AFTER; call += 1) {
      const answer = await getJson(`${web}/api/number`)
      expect(answer.status).toBe(200)
      expect(answer.body).toEqual({ number: expect.any(Number) })
    }
    expect(await getJson(`${web}/api/number`)).toEqual(unavailable)
    expect((await getJson(`${web}/api/status`)).body).toEqual({ api: 'unhealthy' })
    expect((await fetch(`${web}/ready`)).status).toBe(503)
    expect((await fetch(`${web}/health`)).status).toBe(200)
  })

  it('the form without JavaScript gets a number rendered into the page', async () => {
    const rng = await api()
    const web = await listenWeb({ RNG_API_URL: `${rng.url}/rng` })
    const response = await fetch(`${web}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toMatch(/>Here it is: \d{1,2}<\/p>/)
  })

  it('with the API down, the page says "RNG service unavailable!" and stays up', async () => {
    const closedPort = await freePort()
    const logs = captureLogs('warn')
    const web = await listenWeb(
      { RNG_API_URL: `http://127.0.0.1:${closedPort}/rng` },
      { logger: logs.logger },
    )
    expect(await getJson(`${web}/api/number`)).toEqual(unavailable)
    expect(logs.lines.find((line) => line.msg === 'rng call failed')).toMatchObject({
      cause: { code: 'NUMBERS_ERR_RNG_UNREACHABLE' },
      reqId: expect.any(String),
    })
    expect((await getJson(`${web}/api/status`)).body).toEqual({ api: 'unreachable' })
    expect((await fetch(`${web}/`)).status).toBe(200)
    expect(await (await fetch(`${web}/health`)).text()).toBe('Ok')
  })

  it('a hanging API costs no more than the timeout: unavailable within 1 s', async () => {
    const rng = await api({ RESPONSE_DELAY_MS: '5000' })
    const web = await listenWeb({ RNG_API_URL: `${rng.url}/rng`, RNG_API_TIMEOUT_MS: 300 })
    const startedAt = performance.now()
    const answer = await getJson(`${web}/api/number`)
    const elapsedMs = performance.now() - startedAt
    expect(answer).toEqual(unavailable)
    expect(elapsedMs).toBeGreaterThanOrEqual(290)
    expect(elapsedMs).toBeLessThan(300 + 700)
  })

  it('when the API comes back on the same port, numbers come back', async () => {
    const first = await api({ FAIL_AFTER: '0' })
    const web = await listenWeb({ RNG_API_URL: `${first.url}/rng`, API_STATUS_CACHE_MS: 0 })
    expect((await getJson(`${web}/api/number`)).status).toBe(200)

    await first.stop()
    expect(await getJson(`${web}/api/number`)).toEqual(unavailable)
    expect((await getJson(`${web}/api/status`)).body).toEqual({ api: 'unreachable' })

    await api({}, first.port)
    expect((await getJson(`${web}/api/number`)).body).toEqual({ number: expect.any(Number) })
    expect((await getJson(`${web}/api/status`)).body).toEqual({ api: 'healthy' })
  })
})

async function webLoggingTo(rngUrl: string, config: Partial<WebConfig> = {}) {
  const logs = captureLogs('warn')
  const url = await listenWeb({ RNG_API_URL: rngUrl, ...config }, { logger: logs.logger })
  const loggedCause = () => logs.lines.find((line) => line.msg === 'rng call failed')?.cause
  return { url, loggedCause }
}

describe('numbers-web with an API that answers garbage', () => {
  it.each([
    ['a word', '"abc"', 'NUMBERS_ERR_RNG_BODY'],
    ['a bare word', 'abc', 'NUMBERS_ERR_RNG_BODY'],
    ['100', '100', 'NUMBERS_ERR_RNG_BODY'],
    ['-1', '-1', 'NUMBERS_ERR_RNG_BODY'],
    ['4.5', '4.5', 'NUMBERS_ERR_RNG_BODY'],
    ['a number as a string', '"42"', 'NUMBERS_ERR_RNG_BODY'],
    ['an object', '{"number":42}', 'NUMBERS_ERR_RNG_BODY'],
    ['nothing', '', 'NUMBERS_ERR_RNG_BODY'],
    ['a huge body', '7'.repeat(1_000_000), 'NUMBERS_ERR_RNG_TOO_LARGE'],
  ])('an API answering %s gets "RNG service unavailable!"', async (_name, body, code) => {
    const stub = await startStubApi((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(body)
    })
    const web = await webLoggingTo(stub.rngUrl)
    expect(await getJson(`${web.url}/api/number`)).toEqual(unavailable)
    expect(web.loggedCause()).toMatchObject({ code })
  })

  it('an API that sends headers and then stalls the body is cut off at the timeout', async () => {
    const stub = await startStubApi((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.write('4')
    })
    const web = await webLoggingTo(stub.rngUrl, { RNG_API_TIMEOUT_MS: 300 })
    const startedAt = performance.now()
    expect(await getJson(`${web.url}/api/number`)).toEqual(unavailable)
    expect(performance.now() - startedAt).toBeLessThan(1000)
    expect(web.loggedCause()).toMatchObject({ code: 'NUMBERS_ERR_RNG_TIMEOUT' })
  })
})

describe('the badge while the API fails', () => {
  it('a flood of failing POST / costs the API one probe per API_STATUS_CACHE_MS', async () => {
    const CACHE_MS = 500
    const POSTS = 300
    const stub = await startStubApi((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/problem+json' }).end('{}')
    })
    const web = await listenWeb({ RNG_API_URL: stub.rngUrl, API_STATUS_CACHE_MS: CACHE_MS })
    const startedAt = performance.now()
    for (let sent = 0; sent < POSTS; sent += 20) {
      const pages = Array.from({ length: 20 }, async () => {
        const response = await fetch(`${web}/`, { method: 'POST', body: new URLSearchParams() })
        return response.text()
      })
      for (const page of await Promise.all(pages)) {
        expect(page).toContain('RNG service unavailable!')
        expect(page).toContain('data-state="unhealthy">unhealthy</span>')
      }
    }
    const elapsedMs = performance.now() - startedAt
    const probes = stub.requests.filter((path) => path === '/ready').length
    console.log(`badge: ${POSTS} failing POST / in ${Math.round(elapsedMs)} ms, ${probes} probes`)
    expect(probes).toBeLessThanOrEqual(1 + Math.ceil(elapsedMs / CACHE_MS))
  })

  it('a POST / against a hung API answers within one RNG_API_TIMEOUT_MS, badge included', async () => {
    const TIMEOUT_MS = 1000
    // Never answers: both the call and the badge's probe run into the deadline.
    const stub = await startStubApi(() => {})
    const web = await listenWeb({
      RNG_API_URL: stub.rngUrl,
      RNG_API_TIMEOUT_MS: TIMEOUT_MS,
      API_STATUS_CACHE_MS: 0,
    })
    const startedAt = performance.now()
    const response = await fetch(`${web}/`, { method: 'POST', body: new URLSearchParams() })
    const page = await response.text()
    const elapsedMs = performance.now() - startedAt
    console.log(`badge: POST / against a hung API answered in ${Math.round(elapsedMs)} ms`)
    expect(page).toContain('RNG service unavailable!')
    expect(page).toContain('data-state="unreachable">unreachable</span>')
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS * 1.5)
  })
})

describe('a hung API and clients that give up', () => {
  /** A stand-in API that holds every /rng until told to answer; `answering` answers new ones. */
  async function hungApi() {
    const held: ServerResponse[] = []
    let answering = false
    const stub = await startStubApi((_request, response) => {
      if (answering) response.writeHead(200, { 'content-type': 'application/json' }).end('42')
      else held.push(response)
    })
    return { stub, held, answer: () => (answering = true) }
  }

  /** `count` GET /api/number, each on its own connection, aborted together by `stop`. */
  function callsThatHangUp(web: string, count: number) {
    const stop = new AbortController()
    const answers = Array.from({ length: count }, async () => {
      try {
        const response = await fetch(`${web}/api/number`, { signal: stop.signal })
        await response.text()
        return response.status
      } catch {
        return 0
      }
    })
    return { answers, hangUp: () => stop.abort() }
  }

  it('a client that hangs up cancels its call: after 500 give up, the next call gets a number at once', async () => {
    const api = await hungApi()
    const logs = captureLogs('debug')
    const web = await listenWeb(
      { RNG_API_URL: api.stub.rngUrl, RNG_API_TIMEOUT_MS: 10_000 },
      { logger: logs.logger },
    )
    const calls = callsThatHangUp(web, 500)
    await waitUntil(() => api.held.length === RNG_CONNECTIONS, { what: 'every socket held' })
    calls.hangUp()
    await Promise.all(calls.answers)
    const cancelled = () => logs.lines.filter((line) => line.msg === 'rng call cancelled')
    await waitUntil(() => cancelled().length === 500, { what: '500 cancelled calls' })
    expect(cancelled().at(-1)?.calls).toMatchObject({ cancelled: 500, refused: 0 })
    api.answer()
    const startedAt = performance.now()
    const next = await getJson(`${web}/api/number`)
    expect(next.body).toEqual({ number: 42 })
    expect(performance.now() - startedAt).toBeLessThan(1000)
  })

  it('calls beyond the ones waiting for the API are "unavailable" at once, and counted', async () => {
    const api = await hungApi()
    const logs = captureLogs('warn')
    const web = await listenWeb(
      { RNG_API_URL: api.stub.rngUrl, RNG_API_TIMEOUT_MS: 10_000 },
      { logger: logs.logger },
    )
    const waiting = callsThatHangUp(web, RNG_CONNECTIONS + MAX_WAITING_RNG_CALLS)
    onTestFinished(waiting.hangUp)
    await waitUntil(() => api.held.length === RNG_CONNECTIONS, { what: 'every socket held' })
    const startedAt = performance.now()
    const over = await Promise.all(Array.from({ length: 20 }, () => getJson(`${web}/api/number`)))
    expect(performance.now() - startedAt).toBeLessThan(1000)
    expect(over).toEqual(Array.from({ length: 20 }, () => unavailable))
    const refusals = logs.lines.filter(
      (line) => (line.cause as { code?: string } | undefined)?.code === 'NUMBERS_ERR_RNG_BUSY',
    )
    expect(refusals).toHaveLength(20)
    expect(refusals.at(-1)?.calls).toMatchObject({
      refused: 20,
      inFlight: RNG_CONNECTIONS + MAX_WAITING_RNG_CALLS,
    })
  })
})

describe('a connection closed before the answer', () => {
  it('is retried once on another connection: the caller gets its number, and the retry is logged and counted', async () => {
    let closed = 0
    const stub = await startStubApi((request, response) => {
      // The first request dies with its socket, as on a keep-alive socket the API closes.
      if (closed === 0) {
        closed += 1
        request.socket.destroy()
        return
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('42')
    })
    const logs = captureLogs('info')
    const web = await listenWeb({ RNG_API_URL: stub.rngUrl }, { logger: logs.logger })
    expect(await getJson(`${web}/api/number`)).toMatchObject({ status: 200, body: { number: 42 } })
    expect(stub.requests).toEqual(['/rng', '/rng'])
    const retries = logs.lines.filter((line) => line.msg === 'rng call retried')
    expect(retries).toHaveLength(1)
    expect(retries[0]?.cause).toMatchObject({ code: 'NUMBERS_ERR_RNG_UNREACHABLE' })
    expect(retries[0]?.calls).toMatchObject({ retried: 1 })
  })

  it('is retried only once: an API that keeps closing gets "unavailable" after two attempts', async () => {
    const stub = await startStubApi((request) => {
      request.socket.destroy()
    })
    const web = await webLoggingTo(stub.rngUrl)
    const startedAt = performance.now()
    expect(await getJson(`${web.url}/api/number`)).toEqual(unavailable)
    expect(performance.now() - startedAt).toBeLessThan(1000)
    expect(stub.requests).toEqual(['/rng', '/rng'])
    expect(web.loggedCause()).toMatchObject({ code: 'NUMBERS_ERR_RNG_UNREACHABLE' })
  })
})
