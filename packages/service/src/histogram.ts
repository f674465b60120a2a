// A histogram as a prom-client custom metric: prom-client's registry names, formats and
// serves it; only the counting is ours. prom-client's own Histogram validates, hashes and
// string-keys its labels on every observe, which cost the API 7-18% of its CPU per request
// (`pnpm bench metrics`); here a caller finds its series once (per route and status, per
// outcome) and an observation is a bucket scan and three additions.
import type { Metric } from 'prom-client'

type Value = {
  readonly labels: Readonly<Record<string, string | number>>
  readonly value: number
  readonly metricName: string
}

export const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const

/** One label set's counts; `counts[i]` holds observations in bucket i alone (not cumulative). */
export type Series = {
  readonly labels: Readonly<Record<string, string>>
  readonly counts: Float64Array
  sum: number
  count: number
}

export function observe(series: Series, seconds: number): void {
  let bucket = 0
  while (bucket < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[bucket] ?? 0)) bucket++
  series.counts[bucket] = (series.counts[bucket] ?? 0) + 1
  series.sum += seconds
  series.count += 1
}

export type HistogramOptions<Label extends string> = {
  readonly name: string
  readonly help: string
  readonly labelNames: readonly Label[]
}

/** Buckets are DURATION_BUCKETS, in seconds. */
export class SeriesHistogram<Label extends string> {
  readonly name: string
  readonly help: string
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly labelNames: readonly Label[]
  readonly #series = new Map<string, Series>()

  constructor({ name, help, labelNames }: HistogramOptions<Label>) {
    this.name = name
    this.help = help
    this.labelNames = labelNames
  }

  /** The series of these labels, made on first use; keep it, and observe into it. */
  series(labels: Readonly<Record<Label, string>>): Series {
    const key = this.labelNames.map((label) => labels[label]).join('\u0000')
    let series = this.#series.get(key)
    if (series === undefined) {
      series = {
        labels: { ...labels },
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

  /** Zeroes every series in place: callers keep the series they found. */
  reset(): void {
    for (const series of this.#series.values()) {
      series.counts.fill(0)
      series.sum = 0
      series.count = 0
    }
  }

  /** For `Registry.registerMetric`, whose type expects one of prom-client's classes. */
  asMetric(): Metric<string> {
    return this as unknown as Metric<string>
  }
}
