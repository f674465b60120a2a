// The services as the benchmarks run them: the built servers, the API with FAIL_AFTER=0 (the
// code path of a healthy /rng, never turning unhealthy under load), the web in front of it.
import { entryPoints, type ServiceProcess, startService } from '../tools/processes.ts'

export type BenchServiceOptions = {
  /** `info` by default: what the images log. */
  readonly logLevel?: string
  /** `ignore` by default; the soak keeps the output for a service that dies. */
  readonly output?: 'pipe' | 'ignore'
  /** More settings, e.g. METRICS. */
  readonly env?: Readonly<Record<string, string>>
}

function start(
  entry: string,
  env: Readonly<Record<string, string>>,
  { logLevel = 'info', output = 'ignore', env: more = {} }: BenchServiceOptions,
): Promise<ServiceProcess> {
  return startService(entry, { env: { ...env, ...more, LOG_LEVEL: logLevel }, output })
}

export function startBenchApi(options: BenchServiceOptions = {}): Promise<ServiceProcess> {
  return start(entryPoints.api, { FAIL_AFTER: '0' }, options)
}

export function startBenchWeb(
  api: ServiceProcess,
  options: BenchServiceOptions = {},
): Promise<ServiceProcess> {
  return start(entryPoints.web, { RNG_API_URL: `${api.url}/rng` }, options)
}

export async function startBenchPair(
  options: BenchServiceOptions = {},
): Promise<{ readonly api: ServiceProcess; readonly web: ServiceProcess }> {
  const api = await startBenchApi(options)
  return { api, web: await startBenchWeb(api, options) }
}
