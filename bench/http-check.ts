// What one health check costs a container: wall time and peak memory of
// http-check against `node -e 0` (the floor any Node tool pays) and against curl
// and wget, all asking the same tiny node:http server, interleaved in one run.
// `node bench/http-check.ts [--runs 30]` prints a table and writes it to the package
// README (between its markers) and to bench/results/http-check.json;
// `pnpm bench` calls checkCostLines(). Run `pnpm --filter http-check... build` first.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { writeBetweenMarkers } from '../tools/markers.ts'
import { atMost, type Line, median, type Spread, summaryOf } from './lib.ts'
import {
  commandLine,
  peakRssKb,
  rssProbe,
  type Tool,
  timeRun,
  whyUnusable,
} from './measure-command.ts'

const repoRoot = join(import.meta.dirname, '..')
const cliPath = join(repoRoot, 'packages/http-check/dist/cli.js')
const resultsPath = join(import.meta.dirname, 'results', 'http-check.json')
const readmePath = join(repoRoot, 'packages/http-check/README.md')
const bareGet =
  "require('node:http').get(process.argv[1], { agent: false }, (r) => { r.resume(); r.on('end', () => process.exit(r.statusCode === 200 ? 0 : 1)) })"
/** The least any Node check can load: node:net and a GET written by hand. */
const bareNetGet =
  "const u = new URL(process.argv[1]); let b = ''; require('node:net').connect(+u.port, u.hostname).on('data', (d) => { b += d }).on('end', () => process.exit(/^HTTP\\/1\\.1 200/.test(b) ? 0 : 1)).end('GET ' + u.pathname + ' HTTP/1.1\\r\\nHost: ' + u.host + '\\r\\nConnection: close\\r\\n\\r\\n')"

/** The targets for one check against `node -e 0`: wall time and max RSS. */
const TARGET_WALL_RATIO = 1.15
const TARGET_RSS_RATIO = 1.05

export type BenchRow = {
  readonly tool: string
  readonly command: string
  /** Why the tool was not measured (not installed, failed); the figures are then absent. */
  readonly skipped?: string
  readonly runs?: number
  readonly wallMs?: Spread
  readonly maxRssKb?: Spread
  /** Median over the median of `node -e 0`. */
  readonly wallRatio?: number
  readonly rssRatio?: number
  /** Every measurement, in run order. */
  readonly samples?: { readonly wallMs: readonly number[]; readonly maxRssKb: readonly number[] }
}

export type BenchOptions = { readonly runs?: number; readonly warmups?: number }

/** Measures every tool `runs` times, interleaved, and returns one row per tool. */
export async function runHttpCheckBench({
  runs = 30,
  warmups = 3,
}: BenchOptions = {}): Promise<BenchRow[]> {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} is missing: run \`pnpm --filter http-check... build\` first`)
  }
  const server = await startHealthServer()
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`
    const tools: Tool[] = [
      { tool: 'node -e 0 (floor)', argv: [process.execPath, '-e', '0'] },
      { tool: 'http-check', argv: [process.execPath, cliPath, '-u', url] },
      {
        tool: 'http-check tcp://',
        argv: [process.execPath, cliPath, `tcp://${new URL(url).host}`],
      },
      // What node:net alone costs: the least any Node check can pay.
      { tool: 'bare node:net GET', argv: [process.execPath, '-e', bareNetGet, url] },
      // What node:http alone costs: the least a check built on it can pay.
      { tool: 'bare node:http GET', argv: [process.execPath, '-e', bareGet, url] },
      { tool: 'curl', argv: ['curl', '-fsS', url] },
      { tool: 'wget', argv: ['wget', '-q', '-O', '/dev/null', url] },
    ]
    const rows: BenchRow[] = []
    const measured: Tool[] = []
    for (const tool of tools) {
      const missing = await whyUnusable(tool.argv)
      if (missing === undefined) measured.push(tool)
      else rows.push({ tool: tool.tool, command: commandLine(tool.argv), skipped: missing })
    }
    const probe = rssProbe()
    const wall = new Map<Tool, number[]>(measured.map((tool) => [tool, []]))
    const rss = new Map<Tool, number[]>(measured.map((tool) => [tool, []]))
    for (let round = 0; round < warmups + runs; round++) {
      // Rotating the order spreads any drift of the machine over every tool alike.
      for (let index = 0; index < measured.length; index++) {
        const tool = measured[(round + index) % measured.length] as Tool
        const elapsedMs = await timeRun(tool)
        const peakKb = probe === undefined ? undefined : await peakRssKb(probe, tool)
        if (round < warmups) continue
        wall.get(tool)?.push(elapsedMs)
        if (peakKb !== undefined) rss.get(tool)?.push(peakKb)
      }
    }
    const floorWall = median(wall.get(measured[0] as Tool) ?? [])
    const floorRss = median(rss.get(measured[0] as Tool) ?? [])
    for (const tool of measured) {
      const wallMs = summaryOf(wall.get(tool) ?? [])
      const peaks = rss.get(tool) ?? []
      const maxRssKb = peaks.length > 0 ? summaryOf(peaks) : undefined
      rows.push({
        tool: tool.tool,
        command: commandLine(tool.argv),
        runs,
        wallMs,
        wallRatio: wallMs.median / floorWall,
        ...(maxRssKb === undefined ? {} : { maxRssKb, rssRatio: maxRssKb.median / floorRss }),
        samples: { wallMs: wall.get(tool) ?? [], maxRssKb: peaks },
      })
    }
    const order = tools.map((tool) => tool.tool)
    return rows.sort((a, b) => order.indexOf(a.tool) - order.indexOf(b.tool))
  } finally {
    server.closeAllConnections()
    server.close()
  }
}

/** The rows in the shape of `pnpm bench`'s table: http-check against the floor, the rest for context. */
export async function checkCostLines(options: BenchOptions = {}): Promise<Line[]> {
  const rows = await runHttpCheckBench(options)
  return toLines(rows)
}

function toLines(rows: readonly BenchRow[]): Line[] {
  const floor = rows[0]
  const lines: Line[] = []
  if (floor?.wallMs === undefined) {
    return [{ what: 'http-check cost', skipped: floor?.skipped ?? 'not measured' }]
  }
  const toMiB = (kb: number) => kb / 1024
  for (const tool of ['http-check', 'http-check tcp://']) {
    const ours = rows.find((row) => row.tool === tool)
    const what = tool === 'http-check' ? 'http-check one HTTP check' : 'http-check one tcp:// check'
    if (ours?.wallMs === undefined) {
      lines.push({ what, skipped: ours?.skipped ?? 'not measured' })
      continue
    }
    lines.push(
      atMost(
        {
          what: `${what}, wall time`,
          unit: 'ms',
          ours: ours.samples?.wallMs ?? [ours.wallMs.median],
          baseline: floor.samples?.wallMs ?? [floor.wallMs.median],
          baselineName: 'node -e 0',
        },
        TARGET_WALL_RATIO,
      ),
    )
    if (ours.maxRssKb !== undefined && floor.maxRssKb !== undefined) {
      lines.push(
        atMost(
          {
            what: `${what}, max RSS`,
            unit: 'MiB',
            ours: (ours.samples?.maxRssKb ?? [ours.maxRssKb.median]).map(toMiB),
            baseline: (floor.samples?.maxRssKb ?? [floor.maxRssKb.median]).map(toMiB),
            baselineName: 'node -e 0',
          },
          TARGET_RSS_RATIO,
        ),
      )
    }
  }
  for (const row of rows.slice(3)) {
    if (row.skipped !== undefined || row.wallMs === undefined) {
      lines.push({ what: `${row.tool} one check`, skipped: row.skipped ?? 'not measured' })
      continue
    }
    const rss = row.maxRssKb === undefined ? '' : `, ${(row.maxRssKb.median / 1024).toFixed(1)} MiB`
    lines.push({ what: `${row.tool} one check`, info: `${row.wallMs.median.toFixed(1)} ms${rss}` })
  }
  return lines
}

function startHealthServer(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url !== '/health') {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 2 })
    response.end('Ok')
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

export function markdownRows(rows: readonly BenchRow[]): string {
  const header = [
    'command',
    'wall median (p25–p75)',
    'vs `node -e 0`',
    'max RSS median (p25–p75)',
    'vs `node -e 0`',
  ]
  const cells = rows.map((row) => {
    if (row.wallMs === undefined) {
      return [row.tool, `skipped: ${row.skipped ?? 'not measured'}`, '', '', '']
    }
    const wall = `${row.wallMs.median.toFixed(1)} ms (${row.wallMs.p25.toFixed(1)}–${row.wallMs.p75.toFixed(1)})`
    const rss =
      row.maxRssKb === undefined
        ? 'n/a (no GNU time or python3)'
        : `${mb(row.maxRssKb.median)} MiB (${mb(row.maxRssKb.p25)}–${mb(row.maxRssKb.p75)})`
    return [
      `\`${shorten(row.command)}\``,
      wall,
      `${row.wallRatio?.toFixed(2)}×`,
      rss,
      row.rssRatio === undefined ? '' : `${row.rssRatio.toFixed(2)}×`,
    ]
  })
  return alignedTable([header, ...cells])
}

/** Columns padded as Biome formats Markdown, so the README stays lint-clean after a run. */
function alignedTable(table: readonly (readonly string[])[]): string {
  const widths = (table[0] ?? []).map((_, column) =>
    Math.max(3, ...table.map((row) => [...(row[column] ?? '')].length)),
  )
  const line = (row: readonly string[]) =>
    `| ${widths.map((width, column) => (row[column] ?? '').padEnd(width)).join(' | ')} |`
  const [header = [], ...body] = table
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join(
    '\n',
  )
}

function shorten(command: string): string {
  return command
    .replace(/http:\/\/\S+/, 'URL')
    .replace(/tcp:\/\/\S+/, 'tcp://HOST:PORT')
    .replace(`${repoRoot}/`, '')
    .replace(bareGet, '"require(\'node:http\').get(URL, …)"')
    .replace(bareNetGet, "\"require('node:net').connect(…).end('GET …')\"")
}

function mb(kb: number): string {
  return (kb / 1024).toFixed(1)
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } })
  const runs = Number(values.runs)
  const rows = await runHttpCheckBench({ runs })
  const stamp = `${new Date().toISOString()} ${process.platform}/${process.arch} Node ${process.version}, ${runs} interleaved runs each`
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true })
  writeFileSync(
    resultsPath,
    `${JSON.stringify({ stamp, targets: { wall: TARGET_WALL_RATIO, rss: TARGET_RSS_RATIO }, rows }, null, 2)}\n`,
  )
  const table = `${markdownRows(rows)}\n\nMeasured ${stamp}.`
  console.log(table)
  // The package README shows the latest table between its markers.
  writeBetweenMarkers(readmePath, 'bench:http-check', table)
}
