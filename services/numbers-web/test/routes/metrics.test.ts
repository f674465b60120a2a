import { createShutdown } from '@numbers/service'
import { describe, expect, it } from 'vitest'
import { startStubApi } from '../../../../test/helpers/servers.ts'
import { sampleOf } from '../../../../tools/metrics.ts'
import { apiCallOutcomes, outcomeOfFailure } from '../../src/metrics.ts'
import { answered, buildTestApp, fakeProbe, unanswered } from '../helpers.ts'

describe('GET /metrics', () => {
  it('answers 200 in the Prometheus text format, with the process metrics', async () => {
    const response = await buildTestApp().inject('/metrics')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(response.body).toContain('# TYPE numbers_web_api_calls_total counter')
    expect(response.body).toContain('\nprocess_resident_memory_bytes ')
  })

  it('starts every outcome of an API call at 0, one per failure code the web has', async () => {
    const body = (await buildTestApp().inject('/metrics')).body
    expect(apiCallOutcomes).toEqual([
      'ok',
      'timeout',
      'unreachable',
      'status',
      'body',
      'too_large',
      'busy',
      'cancelled',
    ])
    expect(Object.keys(outcomeOfFailure)).toHaveLength(apiCallOutcomes.length - 1)
    for (const outcome of apiCallOutcomes) {
      expect(sampleOf(body, `numbers_web_api_calls_total{outcome="${outcome}"}`)).toBe(0)
    }
  })

  it('counts and times calls to the API by outcome: ok and status', async () => {
    let calls = 0
    const api = await startStubApi((_request, response) => {
      calls += 1
      if (calls <= 2) response.writeHead(200).end('42')
      else response.writeHead(500).end('{}')
    })
    const { probe } = fakeProbe(answered(200))
    const app = buildTestApp({ RNG_API_URL: api.rngUrl }, { probe })
    for (let call = 0; call < 3; call++) await app.inject('/api/number')
    const body = (await app.inject('/metrics')).body
    expect(sampleOf(body, 'numbers_web_api_calls_total{outcome="ok"}')).toBe(2)
    expect(sampleOf(body, 'numbers_web_api_calls_total{outcome="status"}')).toBe(1)
    expect(sampleOf(body, 'numbers_web_api_call_duration_seconds_count{outcome="ok"}')).toBe(2)
    expect(sampleOf(body, 'numbers_web_api_call_duration_seconds_count{outcome="status"}')).toBe(1)
  })

  it('counts a call to an API that answers too slowly as a timeout', async () => {
    const api = await startStubApi(() => {})
    const app = buildTestApp({ RNG_API_URL: api.rngUrl, RNG_API_TIMEOUT_MS: 50 })
    await app.inject('/api/number')
    const body = (await app.inject('/metrics')).body
    expect(sampleOf(body, 'numbers_web_api_calls_total{outcome="timeout"}')).toBe(1)
  })

  it("shows the badge's API status as a labelled 0/1 gauge", async () => {
    const { probe } = fakeProbe(answered(503), answered(500))
    const app = buildTestApp({}, { probe })
    await app.inject('/api/status')
    const body = (await app.inject('/metrics')).body
    expect(sampleOf(body, 'numbers_web_api_status{status="unhealthy"}')).toBe(1)
    for (const other of ['healthy', 'starting', 'unreachable']) {
      expect(sampleOf(body, `numbers_web_api_status{status="${other}"}`)).toBe(0)
    }
  })

  it('is never a call to the API', async () => {
    const { probe, calls } = fakeProbe(unanswered())
    const api = await startStubApi((_request, response) => response.writeHead(200).end('1'))
    const app = buildTestApp({ RNG_API_URL: api.rngUrl }, { probe })
    for (let scrape = 0; scrape < 3; scrape++) await app.inject('/metrics')
    expect(api.requests).toEqual([])
    expect(calls).toEqual([])
  })

  it('labels request durations by route pattern: every static file under /static/:file', async () => {
    const app = buildTestApp()
    await app.inject('/static/app.js')
    await app.inject('/static/style.css')
    const body = (await app.inject('/metrics')).body
    expect(
      sampleOf(
        body,
        'http_request_duration_seconds_count{method="GET",route="/static/:file",status_code="200"}',
      ),
    ).toBe(2)
    expect(body).not.toContain('style.css')
  })

  it('is absent with METRICS=false', async () => {
    expect((await buildTestApp({ METRICS: false }).inject('/metrics')).statusCode).toBe(404)
  })
})

describe('GET /ready while shutting down', () => {
  it('answers 503 "shutting down" without asking the API, while /health still answers 200', async () => {
    const { probe, calls } = fakeProbe(answered(200))
    const shutdown = createShutdown()
    const app = buildTestApp({}, { probe, shutdown })
    shutdown.begin()
    const ready = await app.inject('/ready')
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({
      type: 'urn:numbers:problem:shutting-down',
      detail: 'Shutting down: out of rotation, still serving until it stops accepting.',
    })
    expect(calls).toEqual([])
    expect((await app.inject('/health')).statusCode).toBe(200)
  })
})
