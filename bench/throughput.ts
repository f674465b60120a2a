// Throughput: the services against node:http answering the same bytes, with the
// same connections and duration, runs interleaved so that drift hits both alike.
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { startService } from '../tools/processes.ts'
import { atLeast, atMost, type Info, type Line, median } from './lib.ts'
import { startBenchApi, startBenchPair, startBenchWeb } from './services.ts'

const bareServer = new URL('./servers/bare.js', import.meta.url).pathname
const bareWebServer = new URL('./servers/bare-web.js', import.meta.url).pathname
const floorServer = new URL('./servers/fastify-floor.js', import.meta.url).pathname

export type LoadResult = { requestsPerSec: number; p50: number; p99: number; failures: number }

export async function load(url: string, durationS: number, connections = 50): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: durationS, pipelining: 1 })
  return {
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  }
}

type Target = { readonly name: string; readonly url: string }

/** Runs each target `rounds` times, alternating, after one warm-up each. */
export async function compare(
  targets: readonly Target[],
  rounds: number,
  durationS: number,
): Promise<Map<string, LoadResult[]>> {
  const results = new Map<string, LoadResult[]>(targets.map((target) => [target.name, []]))
  for (const target of targets) await load(target.url, 1)
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const result = await load(target.url, durationS)
      if (result.failures > 0) throw new Error(`${target.name}: ${result.failures} failed requests`)
      results.get(target.name)?.push(result)
    }
  }
  return results
}

/**
 * The framework floor beside a row: Fastify with nothing of ours, the same bytes, in the same
 * run. What a service misses beyond it is its own cost; what the floor misses is Fastify's.
 */
function floorLine(what: string, floor: LoadResult[], bare: LoadResult[]): Info {
  const rps = (runs: LoadResult[]) => median(runs.map((run) => run.requestsPerSec))
  const share = Math.round((100 * rps(floor)) / rps(bare))
  return { what, info: `${Math.round(rps(floor))} req/s, ${share}% of the same baseline` }
}

export function latencyLine(what: string, ours: LoadResult[], bare: LoadResult[]): Info {
  const p = (runs: LoadResult[], key: 'p50' | 'p99') => median(runs.map((run) => run[key]))
  return {
    what,
    info: `p50 ${p(ours, 'p50')} ms, p99 ${p(ours, 'p99')} ms (bare: ${p(bare, 'p50')} / ${p(bare, 'p99')} ms)`,
  }
}

export async function apiThroughput({ rounds = 5, durationS = 2 } = {}): Promise<Line[]> {
  const api = await startBenchApi()
  const bare = await startService(bareServer, { output: 'ignore' })
  const floor = await startService(floorServer, { output: 'ignore' })
  try {
    const lines: Line[] = []
    for (const path of ['/rng', '/health']) {
      const runs = await compare(
        [
          { name: 'api', url: `${api.url}${path}` },
          { name: 'bare', url: `${bare.url}${path}` },
          { name: 'floor', url: `${floor.url}${path}` },
        ],
        rounds,
        durationS,
      )
      const ours = runs.get('api') ?? []
      const baseline = runs.get('bare') ?? []
      lines.push(
        atLeast(
          {
            what: `numbers-api \`GET ${path}\` throughput`,
            unit: 'req/s',
            ours: ours.map((run) => run.requestsPerSec),
            baseline: baseline.map((run) => run.requestsPerSec),
            baselineName: 'node:http',
          },
          0.9,
        ),
        latencyLine(`numbers-api \`GET ${path}\` latency`, ours, baseline),
        floorLine(
          `Fastify alone (no logger, hooks, bounds or metrics) \`GET ${path}\``,
          runs.get('floor') ?? [],
          baseline,
        ),
      )
    }
    return lines
  } finally {
    await Promise.all([api.stop(), bare.stop(), floor.stop()])
  }
}

export async function webThroughput({ rounds = 5, durationS = 2 } = {}): Promise<Line[]> {
  const { api, web } = await startBenchPair()
  const pageFile = join(tmpdir(), `numbers-bench-page-${process.pid}.html`)
  const headersFile = join(tmpdir(), `numbers-bench-page-${process.pid}.json`)
  const numberHeadersFile = join(tmpdir(), `numbers-bench-number-${process.pid}.json`)
  // The same bytes and the same security headers (CSP, X-Frame-Options... and cache-control),
  // for the page and for /api/number.
  const own = ['content-type', 'content-length', 'date', 'connection', 'keep-alive']
  const headersOf = (response: Response) =>
    JSON.stringify(
      Object.fromEntries([...response.headers].filter(([name]) => !own.includes(name))),
    )
  const rendered = await fetch(`${web.url}/`)
  writeFileSync(pageFile, await rendered.text())
  writeFileSync(headersFile, headersOf(rendered))
  const number = await fetch(`${web.url}/api/number`)
  await number.text()
  writeFileSync(numberHeadersFile, headersOf(number))
  const bare = await startService(bareServer, {
    env: { BARE_PAGE_FILE: pageFile, BARE_PAGE_HEADERS: headersFile },
    output: 'ignore',
  })
  // The same shape for /api/number: a bare "web" calling the bare "API" through undici.
  const bareWeb = await startService(bareWebServer, {
    env: { BARE_API_URL: `${bare.url}/rng`, BARE_NUMBER_HEADERS: numberHeadersFile },
    output: 'ignore',
  })
  // The framework floor of both: Fastify alone as the page, and as the web calling the API.
  const floorApi = await startService(floorServer, { output: 'ignore' })
  const floor = await startService(floorServer, {
    env: {
      BARE_PAGE_FILE: pageFile,
      BARE_PAGE_HEADERS: headersFile,
      BARE_API_URL: `${floorApi.url}/rng`,
      BARE_NUMBER_HEADERS: numberHeadersFile,
    },
    output: 'ignore',
  })
  try {
    const page = await compare(
      [
        { name: 'web', url: `${web.url}/` },
        { name: 'bare', url: `${bare.url}/` },
        { name: 'floor', url: `${floor.url}/` },
      ],
      rounds,
      durationS,
    )
    const numbers = await compare(
      [
        { name: 'web', url: `${web.url}/api/number` },
        { name: 'bare', url: `${bareWeb.url}/api/number` },
        { name: 'floor', url: `${floor.url}/api/number` },
      ],
      rounds,
      durationS,
    )
    const rps = (runs: Map<string, LoadResult[]>, name: string) =>
      (runs.get(name) ?? []).map((run) => run.requestsPerSec)
    return [
      atLeast(
        {
          what: 'numbers-web page `GET /` throughput',
          unit: 'req/s',
          ours: rps(page, 'web'),
          baseline: rps(page, 'bare'),
          baselineName: 'node:http, same bytes',
        },
        0.8,
      ),
      latencyLine('numbers-web page latency', page.get('web') ?? [], page.get('bare') ?? []),
      floorLine(
        'Fastify alone (no logger, hooks, bounds or metrics), the same page and headers',
        page.get('floor') ?? [],
        page.get('bare') ?? [],
      ),
      atLeast(
        {
          what: 'numbers-web `GET /api/number` (through the API)',
          unit: 'req/s',
          ours: rps(numbers, 'web'),
          baseline: rps(numbers, 'bare'),
          baselineName: 'node:http → undici Pool → node:http',
        },
        0.8,
      ),
      floorLine(
        'Fastify alone as both the web and the API, `GET /api/number`',
        numbers.get('floor') ?? [],
        numbers.get('bare') ?? [],
      ),
    ]
  } finally {
    await Promise.all([
      web.stop(),
      api.stop(),
      bare.stop(),
      bareWeb.stop(),
      floor.stop(),
      floorApi.stop(),
    ])
  }
}

/** CPU time (user + system) the process has used, in ms; Linux only. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  const ticks = Number(fields[11]) + Number(fields[12])
  return ticks * 10 // USER_HZ is 100 on Linux
}

/**
 * What /metrics costs on the hot paths: each service with METRICS=true against itself with
 * METRICS=false, the same paths, runs interleaved. Besides req/s (which swings with whatever
 * else the machine runs), the server's CPU time per request, which swings much less.
 */
export async function metricsCost({ rounds = 5, durationS = 3 } = {}): Promise<Line[]> {
  const metricsOn = { env: { METRICS: 'true' } }
  const metricsOff = { env: { METRICS: 'false' } }
  const apiOn = await startBenchApi(metricsOn)
  const apiOff = await startBenchApi(metricsOff)
  const webOn = await startBenchWeb(apiOff, metricsOn)
  const webOff = await startBenchWeb(apiOff, metricsOff)
  try {
    const lines: Line[] = []
    const targets = [
      { service: 'numbers-api', path: '/rng', on: apiOn, off: apiOff },
      { service: 'numbers-api', path: '/health', on: apiOn, off: apiOff },
      { service: 'numbers-web', path: '/', on: webOn, off: webOff },
    ]
    for (const { service, path, on, off } of targets) {
      const rps = { on: [] as number[], off: [] as number[] }
      const cpuUs = { on: [] as number[], off: [] as number[] }
      for (const server of [on, off]) await load(`${server.url}${path}`, 1)
      for (let round = 0; round < rounds; round++) {
        for (const [name, server] of [
          ['on', on],
          ['off', off],
        ] as const) {
          const pid = server.child.pid ?? 0
          const before = cpuMsOf(pid)
          const result = await load(`${server.url}${path}`, durationS)
          if (result.failures > 0) throw new Error(`${service} ${path}: ${result.failures} failed`)
          rps[name].push(result.requestsPerSec)
          cpuUs[name].push(((cpuMsOf(pid) - before) * 1000) / (result.requestsPerSec * durationS))
        }
      }
      const what = `${service} \`GET ${path}\` with metrics on`
      const baselineName = 'the same, METRICS=false'
      lines.push(
        atLeast(
          {
            what: `${what}, throughput`,
            unit: 'req/s',
            ours: rps.on,
            baseline: rps.off,
            baselineName,
          },
          0.95,
        ),
        atMost(
          {
            what: `${what}, CPU per request`,
            unit: 'µs',
            ours: cpuUs.on,
            baseline: cpuUs.off,
            baselineName,
          },
          1.05,
        ),
      )
    }
    return lines
  } finally {
    await Promise.all([webOn.stop(), webOff.stop(), apiOn.stop(), apiOff.stop()])
  }
}
