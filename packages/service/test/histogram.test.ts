import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { observe, SeriesHistogram } from '../src/histogram.ts'

const durations = () =>
  new SeriesHistogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer a request.',
    labelNames: ['method', 'route', 'status_code'],
  })

describe('a histogram of durations', () => {
  it('writes cumulative buckets, +Inf, _sum and _count through prom-client, a bound counting in its own bucket', async () => {
    const histogram = durations()
    const registry = new Registry()
    registry.registerMetric(histogram.asMetric())
    const series = histogram.series({ method: 'GET', route: '/rng', status_code: '200' })
    for (const seconds of [0.0005, 0.001, 0.003, 7]) observe(series, seconds)
    const text = await registry.metrics()
    const labels = 'method="GET",route="/rng",status_code="200"'
    expect(text).toContain('# TYPE http_request_duration_seconds histogram')
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.001",${labels}} 2\n`)
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.0025",${labels}} 2\n`)
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.005",${labels}} 3\n`)
    expect(text).toContain(`http_request_duration_seconds_bucket{le="5",${labels}} 3\n`)
    expect(text).toContain(`http_request_duration_seconds_bucket{le="+Inf",${labels}} 4\n`)
    expect(text).toContain(`http_request_duration_seconds_sum{${labels}} 7.0045\n`)
    expect(text).toContain(`http_request_duration_seconds_count{${labels}} 4\n`)
  })

  it('keeps one series per label set', () => {
    const histogram = durations()
    const ok = { method: 'GET', route: '/rng', status_code: '200' }
    expect(histogram.series(ok)).toBe(histogram.series({ ...ok }))
    expect(histogram.series({ ...ok, status_code: '500' })).not.toBe(histogram.series(ok))
  })

  it('zeroes its series in place on reset, so the ones callers kept still count', async () => {
    const histogram = durations()
    const registry = new Registry()
    registry.registerMetric(histogram.asMetric())
    const series = histogram.series({ method: 'GET', route: '/rng', status_code: '200' })
    observe(series, 0.002)
    registry.resetMetrics()
    observe(series, 0.003)
    expect(await registry.metrics()).toContain(
      'http_request_duration_seconds_count{method="GET",route="/rng",status_code="200"} 1\n',
    )
  })
})
