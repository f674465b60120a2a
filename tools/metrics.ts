// Reading one figure out of a Prometheus text exposition (the services' GET /metrics), for the
// tests and the soak benchmark.

/** The value of one sample line, e.g. `numbers_api_rng_calls_total{outcome="served"}`; undefined when absent. */
export function sampleOf(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((each) => each.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}
