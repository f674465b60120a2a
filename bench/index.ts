// `pnpm bench`: every benchmark in one run, each figure against its baseline
// measured in the same run. Writes bench/results/latest.{json,md} and the README's table.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeBetweenMarkers } from '../tools/markers.ts'
import { type Line, markdownTable } from './lib.ts'

const results = join(import.meta.dirname, 'results')
const readme = join(import.meta.dirname, '..', 'README.md')

type Bench = { readonly name: string; readonly run: () => Promise<Line[]> }

const benches: Bench[] = [
  {
    name: 'check cost',
    run: async () => (await import('./http-check.ts')).checkCostLines(),
  },
  { name: 'api throughput', run: async () => (await import('./throughput.ts')).apiThroughput() },
  { name: 'web throughput', run: async () => (await import('./throughput.ts')).webThroughput() },
  { name: 'metrics cost', run: async () => (await import('./throughput.ts')).metricsCost() },
  { name: 'memory', run: async () => (await import('./memory.ts')).memoryLines() },
  { name: 'start-up', run: async () => (await import('./startup.ts')).startupLines() },
  { name: 'containers', run: async () => (await import('./containers.ts')).containerLines() },
]

const only = process.argv.slice(2)
const lines: Line[] = []
for (const bench of benches) {
  if (only.length > 0 && !only.some((name) => bench.name.includes(name))) continue
  const started = performance.now()
  process.stderr.write(`bench: ${bench.name}...\n`)
  try {
    lines.push(...(await bench.run()))
  } catch (error) {
    lines.push({ what: bench.name, skipped: `failed: ${(error as Error).message}` })
  }
  process.stderr.write(
    `bench: ${bench.name} took ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  )
}

const table = markdownTable(lines)
const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}, by \`pnpm bench\`.`
console.log(`${table}\n\n${stamp}`)
mkdirSync(results, { recursive: true })
writeFileSync(join(results, 'latest.json'), `${JSON.stringify({ stamp, lines }, null, 2)}\n`)
writeFileSync(join(results, 'latest.md'), `${table}\n\n${stamp}\n`)
if (only.length === 0) writeBetweenMarkers(readme, 'bench', `${table}\n\n${stamp}`)
const missed = lines.filter((line) => 'pass' in line && !line.pass)
process.stderr.write(`bench: ${lines.length} lines, ${missed.length} targets missed\n`)
