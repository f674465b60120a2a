// The README's metrics table, read from the metrics the services really register
// (both apps built with default config, plus the process metrics), so it cannot drift.
// `pnpm docs:metrics` rewrites it between the README's metrics-table markers.
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { defaultsOf, keysUsedBy } from '../packages/config/src/index.ts'
import { processMetrics, registryOf } from '../packages/service/src/index.ts'
import { buildApp as buildApi } from '../services/numbers-api/src/app.ts'
import { buildApp as buildWeb } from '../services/numbers-web/src/app.ts'
import { writeBetweenMarkers } from '../tools/markers.ts'

export const METRICS_TABLE = 'metrics-table'

type Registry = ReturnType<typeof processMetrics>

type MetricRow = { name: string; type: string; labels: string[]; help: string; servedBy: string[] }

/** prom-client's metric objects carry these, though its types do not say so for all. */
type Described = { name: string; help: string; type?: string; labelNames?: readonly string[] }

function describe(registry: Registry, servedBy: string, rows: Map<string, MetricRow>): void {
  for (const metric of registry.getMetricsAsArray() as unknown as Described[]) {
    const row = rows.get(metric.name)
    if (row) {
      row.servedBy.push(servedBy)
      continue
    }
    rows.set(metric.name, {
      name: metric.name,
      type: metric.type ?? 'untyped',
      labels: [...(metric.labelNames ?? [])],
      help: metric.help,
      servedBy: [servedBy],
    })
  }
}

async function ownRegistry(app: FastifyInstance): Promise<Registry> {
  await app.ready()
  const registry = registryOf(app)
  if (!registry) throw new Error('METRICS is on by default; the app has no registry')
  return registry
}

export async function renderMetricsTable(): Promise<string> {
  const api = buildApi({ config: defaultsOf(keysUsedBy('numbers-api')) })
  const web = buildWeb({ config: defaultsOf(keysUsedBy('numbers-web')) })
  try {
    const rows = new Map<string, MetricRow>()
    describe(await ownRegistry(api), 'numbers-api', rows)
    describe(await ownRegistry(web), 'numbers-web', rows)
    const process = new Map<string, MetricRow>()
    describe(processMetrics(), 'both', process)
    const line = (row: MetricRow, servedBy: string) =>
      `| \`${row.name}\` | ${row.type} | ${row.labels.map((label) => `\`${label}\``).join(', ')} | ${servedBy} | ${row.help.replaceAll('|', '\\|')} |`
    return [
      '| metric | type | labels | served by | what it says |',
      '| --- | --- | --- | --- | --- |',
      ...[...rows.values()].map((row) => line(row, row.servedBy.join(', '))),
      ...[...process.values()].map((row) => line(row, 'both (process)')),
    ].join('\n')
  } finally {
    await Promise.all([api.close(), web.close()])
  }
}

if (process.argv.includes('--write')) {
  const readme = join(import.meta.dirname, '..', 'README.md')
  if (!writeBetweenMarkers(readme, METRICS_TABLE, await renderMetricsTable())) {
    throw new Error(`README.md lacks the ${METRICS_TABLE} markers`)
  }
}
