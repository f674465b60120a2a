// The request-duration histogram, as a prom-client custom metric: prom-client's
// registry names, formats and serves it; only the counting is ours. prom-client's own
// Histogram validates, hashes and string-keys its labels on every observe, which cost
// the API 7-18% of its CPU per request (`pnpm bench metrics`); here an observation
// is a bucket scan and three additions on a series found once per route and status.
import type { Metric } from 'prom-client'

type Value = {
  readonly labels: Readonly<Record<string, string | number>>
  readonly value: number
  readonly metricName: string
}

export const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const

type Labels = { readonly method: string; readonly route: string; readonly status_code: string }

/** One label triple's counts; `counts[i]` holds observations in bucket i alone (not cumulative). */
export type DurationSeries = {
  readonly labels: Labels
  readonly counts: Float64Array
  sum: number
  count: number
}

export function observe(series: DurationSeries, seconds: number): void {
  let bucket = 0
  while (bucket < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[bucket] ?? 0)) bucket++
  series.counts[bucket] = (series.counts[bucket] ?? 0) + 1
  series.sum += seconds
  series.count += 1
}

export class RequestDurations {
  readonly name = 'http_request_duration_seconds'
  readonly help = 'Time to answer a request, by method, route pattern and status code.'
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly labelNames = ['method', 'route', 'status_code'] as const
  readonly #series = new Map<string, DurationSeries>()

  series(method: string, route: string, statusCode: number): DurationSeries {
    const key = `${method} ${statusCode} ${route}`
    let series = this.#series.get(key)
    if (series === undefined) {
      series = {
        labels: { method, route, status_code: String(statusCode) },
        counts: new Float64Array(DURATION_BUCKETS.length + 1),
        sum: 0,
        count: 0,
      }
      this.#series.set(key, series)
    }
    return series
  }

  /** What prom-client's registry reads to write the exposition (the shape its Histogram gives). */
  async get() {
    const values: Value[] = []
    for (const { labels, counts, sum, count } of this.#series.values()) {
      let cumulative = 0
      DURATION_BUCKETS.forEach((bound, index) => {
        cumulative += counts[index] ?? 0
        values.push({
          labels: { le: bound, ...labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        })
      })
      values.push({
        labels: { le: '+Inf', ...labels },
        value: count,
        metricName: `${this.name}_bucket`,
      })
      values.push({ labels, value: sum, metricName: `${this.name}_sum` })
      values.push({ labels, value: count, metricName: `${this.name}_count` })
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    }
  }

  reset(): void {
    this.#series.clear()
  }

  /** For `Registry.registerMetric`, whose type expects one of prom-client's classes. */
  asMetric(): Metric<string> {
    return this as unknown as Metric<string>
  }
}
