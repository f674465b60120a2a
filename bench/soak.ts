// `pnpm bench:soak [--minutes N]`: both services as processes under a moderate, steady mix
// of requests for N minutes (default 10). Every 10 s: each process's RSS (VmRSS) and CPU
// (from /proc); its event-loop lag and V8 heap in use, from its own GET /metrics; and the
// load generator's p99 and errors for that interval. Draws docs/img/soak.svg, writes
// bench/results/soak.{json,md} and the README's soak block. `--replot` redraws all of that
// from bench/results/soak.json without running the load.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { writeBetweenMarkers } from '../tools/markers.ts'
import { sampleOf } from '../tools/metrics.ts'
import type { ServiceProcess } from '../tools/processes.ts'
import { startBenchPair } from './services.ts'

const root = join(import.meta.dirname, '..')
const resultsJson = join(root, 'bench/results/soak.json')
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '150' },
    replot: { type: 'boolean', default: false },
  },
})
type Saved = {
  readonly figures: { readonly minutes: number; readonly rate: number; readonly day: string }
  readonly samples: Sample[]
}
const saved = values.replot ? (JSON.parse(readFileSync(resultsJson, 'utf8')) as Saved) : undefined
const minutes = saved?.figures.minutes ?? Number(values.minutes)
/** Requests per second on each service (the web's /api/number adds /rng calls to the API's). */
const rate = saved?.figures.rate ?? Number(values.rate)
if (!(minutes > 0) || !(rate > 0)) throw new Error('usage: soak.ts [--minutes N] [--rate R]')

const INTERVAL_S = 10
/**
 * RSS before this is warm-up (a fifth of the run, at least 30 s): the JIT, pools, and V8
 * sizing its heap for the allocation rate. Under this load the web's heap after a full GC
 * stays about 21 MB while V8 grows the space it keeps committed from 34 to 175 MB in the
 * first 90 s (measured with --trace-gc); that step is start-up, not a leak.
 */
const warmUpS = Math.max(30, Math.round((minutes * 60) / 5 / INTERVAL_S) * INTERVAL_S)
const CLK_TCK = 100

type Sample = {
  readonly atS: number
  readonly rssMiB: { readonly api: number; readonly web: number }
  readonly cpuPct: { readonly api: number; readonly web: number }
  /** The 99th percentile of the event loop's delay over the interval, beyond the monitor's timer. */
  readonly lagP99Ms: { readonly api: number; readonly web: number }
  /** V8's heap in use at the end of the interval: what a leak would grow. */
  readonly heapMiB: { readonly api: number; readonly web: number }
  readonly p99Ms: { readonly api: number; readonly web: number }
  readonly requests: { readonly api: number; readonly web: number }
  readonly errors: { readonly api: number; readonly web: number }
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024
}

/** utime + stime in clock ticks (fields 14 and 15 of /proc/PID/stat). */
function cpuTicks(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/**
 * prom-client's monitor (monitorEventLoopDelay) times a 10 ms timer and records the whole
 * interval, so an idle loop reads 10.2 ms at p99: the lag is what comes on top of it.
 */
const LAG_MONITOR_RESOLUTION_MS = 10

type Inside = { readonly lagP99Ms: number; readonly heapMiB: number }

/**
 * The figures only the process itself knows, from its /metrics. prom-client's event-loop
 * monitor starts its histogram over at each scrape, so a scrape per interval gives that
 * interval's lag.
 */
async function inside(service: ServiceProcess): Promise<Inside> {
  const exposition = await (
    await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(5000) })
  ).text()
  const figure = (series: string) => {
    const value = sampleOf(exposition, series)
    if (value === undefined) throw new Error(`soak: ${service.url}/metrics has no ${series}`)
    return value
  }
  return {
    lagP99Ms: Math.max(
      0,
      figure('nodejs_eventloop_lag_p99_seconds') * 1000 - LAG_MONITOR_RESOLUTION_MS,
    ),
    heapMiB: figure('nodejs_heap_size_used_bytes') / 2 ** 20,
  }
}

type Interval = { readonly requests: number; readonly p99: number; readonly errors: number }

function loadFor(
  service: ServiceProcess,
  paths: readonly string[],
  durationS: number,
): Promise<Interval> {
  return autocannon({
    url: service.url,
    connections: 10,
    overallRate: rate,
    duration: durationS,
    requests: paths.map((path) => ({ method: 'GET', path })),
  }).then((result) => ({
    requests: result.requests.total,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  }))
}

async function soak(): Promise<Sample[]> {
  const samples: Sample[] = []
  const { api, web } = await startBenchPair({ logLevel: 'warn', output: 'pipe' })
  const pids = { api: api.child.pid ?? 0, web: web.child.pid ?? 0 }
  // A service that dies during the soak is the soak's finding: say which, how, and its last words.
  let stopping = false
  for (const [name, service] of [
    ['api', api],
    ['web', web],
  ] as const) {
    service.child.once('exit', (code, signal) => {
      if (stopping) return
      const { stdout, stderr } = service.output()
      process.stderr.write(
        `soak: numbers-${name} exited (code ${code}, signal ${signal}):\n${`${stdout}${stderr}`.slice(-2000)}\n`,
      )
      process.exit(1)
    })
  }
  process.stderr.write(
    `soak: ${minutes} min, ${rate} req/s on each service, a sample every ${INTERVAL_S} s\n`,
  )
  try {
    let ticks = { api: cpuTicks(pids.api), web: cpuTicks(pids.web) }
    // Starts each event-loop histogram over: the first interval's lag is its own.
    await Promise.all([inside(api), inside(web)])
    const intervals = Math.round((minutes * 60) / INTERVAL_S)
    for (let index = 1; index <= intervals; index++) {
      const started = performance.now()
      const [apiLoad, webLoad] = await Promise.all([
        loadFor(api, ['/rng', '/health'], INTERVAL_S),
        loadFor(web, ['/', '/api/number'], INTERVAL_S),
      ])
      const elapsedS = (performance.now() - started) / 1000
      const now = { api: cpuTicks(pids.api), web: cpuTicks(pids.web) }
      const [apiInside, webInside] = await Promise.all([inside(api), inside(web)])
      const cpu = (name: 'api' | 'web') => ((now[name] - ticks[name]) / CLK_TCK / elapsedS) * 100
      const sample: Sample = {
        atS: index * INTERVAL_S,
        rssMiB: { api: rssMiB(pids.api), web: rssMiB(pids.web) },
        cpuPct: { api: cpu('api'), web: cpu('web') },
        lagP99Ms: { api: apiInside.lagP99Ms, web: webInside.lagP99Ms },
        heapMiB: { api: apiInside.heapMiB, web: webInside.heapMiB },
        p99Ms: { api: apiLoad.p99, web: webLoad.p99 },
        requests: { api: apiLoad.requests, web: webLoad.requests },
        errors: { api: apiLoad.errors, web: webLoad.errors },
      }
      samples.push(sample)
      ticks = now
      process.stderr.write(
        `soak: ${sample.atS} s  RSS api ${sample.rssMiB.api.toFixed(1)} web ${sample.rssMiB.web.toFixed(1)} MiB  heap ${sample.heapMiB.api.toFixed(1)} ${sample.heapMiB.web.toFixed(1)} MiB  CPU ${sample.cpuPct.api.toFixed(0)}% ${sample.cpuPct.web.toFixed(0)}%  lag p99 ${sample.lagP99Ms.api.toFixed(1)} ${sample.lagP99Ms.web.toFixed(1)} ms  p99 ${sample.p99Ms.api} ${sample.p99Ms.web} ms  errors ${sample.errors.api + sample.errors.web}\n`,
      )
    }
  } finally {
    stopping = true
    await Promise.all([web.stop(), api.stop()])
  }
  return samples
}

const samples = saved?.samples ?? (await soak())

// ------------------------------------------------------------------ figures

type Name = 'api' | 'web'
const afterWarmUp = samples.filter((sample) => sample.atS >= warmUpS)
type Change = { readonly first: number; readonly last: number; readonly pct: number }
const changeOf = (first: number, last: number): Change => ({
  first,
  last,
  pct: ((last - first) / first) * 100,
})
const growth = (pick: (sample: Sample) => number) => {
  const firstSample = afterWarmUp[0]
  const lastSample = afterWarmUp.at(-1)
  return changeOf(
    firstSample ? pick(firstSample) : Number.NaN,
    lastSample ? pick(lastSample) : Number.NaN,
  )
}
/**
 * The heap in use swings by tens of MiB between two full GCs, so two single readings say
 * little: a leak shows in its lows. The lowest in the first stretch after warm-up (as long as
 * the warm-up) against the lowest in the last.
 */
const heapLows = (name: Name) => {
  const lastS = samples.at(-1)?.atS ?? 0
  const lowest = (from: number, to: number) =>
    Math.min(...afterWarmUp.filter((s) => s.atS >= from && s.atS <= to).map((s) => s.heapMiB[name]))
  return changeOf(lowest(warmUpS, 2 * warmUpS), lowest(lastS - warmUpS, lastS))
}
const sum = (pick: (sample: Sample) => number) => samples.reduce((t, s) => t + pick(s), 0)
const maxOf = (pick: (sample: Sample) => number) => Math.max(...samples.map(pick))
const figures = {
  minutes,
  rate,
  day: saved?.figures.day ?? new Date().toISOString().slice(0, 10),
  warmUpS,
  peakMiB: { api: maxOf((s) => s.rssMiB.api), web: maxOf((s) => s.rssMiB.web) },
  growth: { api: growth((s) => s.rssMiB.api), web: growth((s) => s.rssMiB.web) },
  heapLows: { api: heapLows('api'), web: heapLows('web') },
  maxLagP99Ms: { api: maxOf((s) => s.lagP99Ms.api), web: maxOf((s) => s.lagP99Ms.web) },
  requests: sum((s) => s.requests.api + s.requests.web),
  errors: sum((s) => s.errors.api + s.errors.web),
  maxP99Ms: { api: maxOf((s) => s.p99Ms.api), web: maxOf((s) => s.p99Ms.web) },
}
const pass = (name: Name) => figures.growth[name].pct <= 5
const change = ({ first, last, pct }: Change) =>
  `${first.toFixed(1)} → ${last.toFixed(1)} MiB (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%)`
const row = (name: Name, what: string) =>
  `| ${what} | ${change(figures.growth[name])} | ≤ 5% | ${pass(name) ? 'pass' : '**miss**'} | ${figures.peakMiB[name].toFixed(1)} MiB | ${change(figures.heapLows[name])} | ${figures.maxLagP99Ms[name].toFixed(1)} ms | ${figures.maxP99Ms[name]} ms |`
const table = [
  `| ${minutes} min soak, ${rate} req/s per service | RSS after warm-up (${warmUpS} s) → end | target | result | peak RSS | V8 heap in use, lowest in the ${warmUpS} s after warm-up → in the last ${warmUpS} s | worst 10 s event-loop p99 | worst 10 s client p99 |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  row('api', 'numbers-api (`/rng`, `/health`)'),
  row('web', 'numbers-web (`/`, `/api/number`)'),
].join('\n')
const stamp = `${figures.requests} requests, ${figures.errors} errors. Measured ${figures.day} on ${process.platform}/${process.arch}, Node ${process.version}, by \`pnpm bench:soak\`${minutes === 10 ? '' : ` --minutes ${minutes}`}.`
console.log(`${table}\n\n${stamp}`)

writeFileSync(
  join(root, 'bench/results/soak.json'),
  `${JSON.stringify({ stamp, figures, samples }, null, 2)}\n`,
)
writeFileSync(join(root, 'bench/results/soak.md'), `${table}\n\n${stamp}\n`)
writeFileSync(join(root, 'docs/img/soak.svg'), chart(samples))
writeBetweenMarkers(join(root, 'README.md'), 'soak', `${table}\n\n${stamp}`)
if (figures.errors > 0 || !pass('api') || !pass('web')) process.exitCode = 1

// ------------------------------------------------------------------ chart

/**
 * Three panels, one line per service: RSS (V8's heap in use dashed beneath it), event-loop
 * lag and the client's p99. Plain SVG, no library.
 */
function chart(points: readonly Sample[]): string {
  type Panel = {
    readonly title: string
    readonly unit: string
    readonly pick: (s: Sample, n: Name) => number
    /** A second line per service, dashed, on the same scale. */
    readonly beneath?: (s: Sample, n: Name) => number
  }
  const panels: readonly Panel[] = [
    {
      title: 'RSS (VmRSS); dashed: V8 heap in use',
      unit: 'MiB',
      pick: (s, n) => s.rssMiB[n],
      beneath: (s, n) => s.heapMiB[n],
    },
    { title: 'event-loop lag p99 per 10 s', unit: 'ms', pick: (s, n) => s.lagP99Ms[n] },
    { title: 'p99 latency per 10 s, seen by the client', unit: 'ms', pick: (s, n) => s.p99Ms[n] },
  ]
  const width = 640
  const panel = 130
  const left = 48
  const right = 90
  const top = 28
  const gap = 40
  const bottom = top + panels.length * panel + (panels.length - 1) * gap
  const height = bottom + 30
  const lastS = points.at(-1)?.atS ?? 1
  const x = (s: number) => left + (s / lastS) * (width - left - right)
  const colours: Record<Name, string> = { api: '#1f77b4', web: '#d62728' }
  const parts: string[] = []
  const polyline = (y: (v: number) => number, pick: (s: Sample) => number, style: string) =>
    `<polyline fill="none" ${style} points="${points.map((s) => `${x(s.atS).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ')}"/>`
  const drawPanel = (y0: number, { title, unit, pick, beneath }: Panel) => {
    const max = Math.max(1, ...points.flatMap((s) => [pick(s, 'api'), pick(s, 'web')])) * 1.1
    const y = (v: number) => y0 + panel - (v / max) * panel
    parts.push(
      `<text x="${left}" y="${y0 - 8}" font-size="12" font-weight="bold">${title}</text>`,
      `<line x1="${left}" y1="${y0 + panel}" x2="${width - right}" y2="${y0 + panel}" stroke="#999"/>`,
      `<line x1="${left}" y1="${y0}" x2="${left}" y2="${y0 + panel}" stroke="#999"/>`,
    )
    for (const fraction of [0, 0.5, 1]) {
      const value = (max / 1.1) * fraction
      parts.push(
        `<text x="${left - 4}" y="${y(value) + 4}" font-size="10" text-anchor="end">${value.toFixed(0)}</text>`,
        `<line x1="${left}" y1="${y(value)}" x2="${width - right}" y2="${y(value)}" stroke="#eee"/>`,
      )
    }
    parts.push(
      `<text x="${left - 4}" y="${y0 - 8}" font-size="10" text-anchor="end">${unit}</text>`,
    )
    const labelY = { api: 0, web: 0 }
    const last = points.at(-1)
    for (const name of ['api', 'web'] as const) {
      const colour = `stroke="${colours[name]}"`
      parts.push(polyline(y, (s) => pick(s, name), `${colour} stroke-width="1.5"`))
      if (beneath) {
        parts.push(
          polyline(y, (s) => beneath(s, name), `${colour} stroke-width="1" stroke-dasharray="4 3"`),
        )
      }
      labelY[name] = last ? y(pick(last, name)) + 4 : 0
    }
    // Two labels at the same height would overwrite each other: part them by a line.
    if (Math.abs(labelY.api - labelY.web) < 12) {
      const [lower, upper] =
        labelY.api > labelY.web ? (['api', 'web'] as const) : (['web', 'api'] as const)
      const middle = (labelY.api + labelY.web) / 2
      labelY[lower] = middle + 6
      labelY[upper] = middle - 6
    }
    for (const name of ['api', 'web'] as const) {
      parts.push(
        `<text x="${width - right + 6}" y="${labelY[name].toFixed(1)}" font-size="11" fill="${colours[name]}">numbers-${name}</text>`,
      )
    }
  }
  for (const [index, each] of panels.entries()) drawPanel(top + index * (panel + gap), each)
  const warmX = x(warmUpS)
  parts.push(
    `<line x1="${warmX}" y1="${top}" x2="${warmX}" y2="${bottom}" stroke="#bbb" stroke-dasharray="4 3"/>`,
    `<text x="${warmX + 3}" y="${top + 10}" font-size="10" fill="#777">end of warm-up</text>`,
    `<text x="${(left + width - right) / 2}" y="${height - 6}" font-size="11" text-anchor="middle">seconds (${minutes} min, ${rate} req/s per service)</text>`,
  )
  for (const s of [0, lastS / 2, lastS]) {
    parts.push(
      `<text x="${x(s)}" y="${bottom + 14}" font-size="10" text-anchor="middle">${s.toFixed(0)}</text>`,
    )
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" role="img">\n<title>RSS, V8 heap in use, event-loop lag and client p99 latency of numbers-api and numbers-web, sampled every 10 s during a ${minutes}-minute soak at ${rate} req/s per service</title>\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`
}
