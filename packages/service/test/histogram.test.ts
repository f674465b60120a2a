import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { observe, RequestDurations } from '../src/durations.ts'

describe('http_request_duration_seconds', () => {
  it('writes cumulative buckets, +Inf, _sum and _count through prom-client, a bound counting in its own bucket', async () => {
    const durations = new RequestDurations()
    const registry = new Registry()
    registry.registerMetric(durations.asMetric())
    const series = durations.series('GET', '/rng', 200)
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

  it('keeps one series per method, route and status', () => {
    const durations = new RequestDurations()
    expect(durations.series('GET', '/rng', 200)).toBe(durations.series('GET', '/rng', 200))
    expect(durations.series('GET', '/rng', 500)).not.toBe(durations.series('GET', '/rng', 200))
  })
})
