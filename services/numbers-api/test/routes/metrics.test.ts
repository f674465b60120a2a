import { createShutdown } from '@numbers/service'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { sampleOf } from '../../../../tools/metrics.ts'
import { buildTestApp } from '../helpers.ts'

describe('GET /metrics', () => {
  const scrape = async (app: FastifyInstance) => (await app.inject('/metrics')).body

  it('answers 200 in the Prometheus text format, with the process metrics', async () => {
    const response = await buildTestApp().inject('/metrics')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(response.body).toContain('# TYPE numbers_api_healthy gauge')
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(response.body).toContain(`\n${name} `)
    }
  })

  it('counts /rng calls served and refused by outcome', async () => {
    const app = buildTestApp({ FAIL_AFTER: 2 })
    for (let call = 0; call < 5; call++) await app.inject('/rng')
    const metrics = await scrape(app)
    expect(sampleOf(metrics, 'numbers_api_rng_calls_total{outcome="served"}')).toBe(2)
    expect(sampleOf(metrics, 'numbers_api_rng_calls_total{outcome="refused"}')).toBe(3)
  })

  it('is never counted as an /rng call', async () => {
    const app = buildTestApp({ FAIL_AFTER: 1 })
    for (let scrapeNumber = 0; scrapeNumber < 5; scrapeNumber++) await scrape(app)
    expect((await app.inject('/rng')).statusCode).toBe(200)
  })

  it('turns numbers_api_healthy and numbers_api_ready from 1 to 0 when the calls are used up', async () => {
    const app = buildTestApp({ FAIL_AFTER: 1 })
    const before = await scrape(app)
    expect(sampleOf(before, 'numbers_api_healthy')).toBe(1)
    expect(sampleOf(before, 'numbers_api_ready')).toBe(1)
    await app.inject('/rng')
    const after = await scrape(app)
    expect(sampleOf(after, 'numbers_api_healthy')).toBe(0)
    expect(sampleOf(after, 'numbers_api_ready')).toBe(0)
  })

  it('reports numbers_api_ready 0 but numbers_api_healthy 1 while starting', async () => {
    const metrics = await scrape(buildTestApp({ STARTUP_DELAY_MS: 60_000 }))
    expect(sampleOf(metrics, 'numbers_api_healthy')).toBe(1)
    expect(sampleOf(metrics, 'numbers_api_ready')).toBe(0)
  })

  it('reports numbers_api_ready 0 once shutting down', async () => {
    const shutdown = createShutdown()
    const app = buildTestApp({}, { shutdown })
    shutdown.begin()
    expect(sampleOf(await scrape(app), 'numbers_api_ready')).toBe(0)
  })

  it('reports the configured FAIL_AFTER', async () => {
    expect(sampleOf(await scrape(buildTestApp({ FAIL_AFTER: 7 })), 'numbers_api_fail_after')).toBe(
      7,
    )
  })

  it('times requests by route pattern, and every unknown path under one `unmatched` label', async () => {
    const app = buildTestApp()
    await app.inject('/rng')
    await app.inject('/no-such-page')
    await app.inject('/another/unknown?x=1')
    const metrics = await scrape(app)
    expect(
      sampleOf(
        metrics,
        'http_request_duration_seconds_count{method="GET",route="/rng",status_code="200"}',
      ),
    ).toBe(1)
    expect(
      sampleOf(
        metrics,
        'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}',
      ),
    ).toBe(2)
    expect(metrics).not.toContain('no-such-page')
  })

  it('times a HEAD request once, under the route pattern', async () => {
    const app = buildTestApp()
    await app.inject({ method: 'HEAD', url: '/health' })
    const metrics = await scrape(app)
    expect(
      sampleOf(
        metrics,
        'http_request_duration_seconds_count{method="HEAD",route="/health",status_code="200"}',
      ),
    ).toBe(1)
  })

  it('is absent with METRICS=false: 404, and no request is timed', async () => {
    const response = await buildTestApp({ METRICS: false }).inject('/metrics')
    expect(response.statusCode).toBe(404)
  })
})
