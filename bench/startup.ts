// Start-up: from spawning the process to its first 200, numbers-api against the
// smallest Fastify app, alternated in one run.
import { entryPoints, startService } from '../test/helpers/processes.ts'
import { atMost, type Row } from './lib.ts'

const fastifyHello = new URL('./servers/fastify-hello.js', import.meta.url).pathname

async function timeToFirst200(entry: string): Promise<number> {
  const started = performance.now()
  const service = await startService(entry, { output: 'ignore', timeoutMs: 20_000 })
  const elapsed = performance.now() - started
  await service.stop()
  return elapsed
}

export async function startupTime({ runs = 15 } = {}): Promise<Row> {
  const ours: number[] = []
  const baseline: number[] = []
  await timeToFirst200(entryPoints.api)
  await timeToFirst200(fastifyHello)
  for (let run = 0; run < runs; run++) {
    ours.push(await timeToFirst200(entryPoints.api))
    baseline.push(await timeToFirst200(fastifyHello))
  }
  return atMost(
    {
      what: 'numbers-api start → first 200',
      unit: 'ms',
      ours,
      baseline,
      baselineName: 'minimal Fastify',
    },
    1.0,
  )
}
