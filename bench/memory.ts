// Memory: each service's RSS idle and after 10 s of load, against the minimal Fastify app
// (the target) and node:http (the floor), all started fresh in the same run.
import { readFileSync } from 'node:fs'
import { type ServiceProcess, startService } from '../tools/processes.ts'
import { atMost, type Line, median } from './lib.ts'
import { startBenchPair } from './services.ts'
import { load } from './throughput.ts'

const bareServer = new URL('./servers/bare.js', import.meta.url).pathname
const fastifyHello = new URL('./servers/fastify-hello.js', import.meta.url).pathname

/** Resident memory of a process, from the kernel, in MiB. */
function rssMiB(service: ServiceProcess): number {
  if (service.child.exitCode !== null)
    throw new Error(`${service.url} exited: ${service.child.exitCode}`)
  const status = readFileSync(`/proc/${service.child.pid}/status`, 'utf8')
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]) / 1024
}

type Figures = { idle: number[]; loaded: number[] }

export async function memoryLines({ rounds = 3, loadS = 10 } = {}): Promise<Line[]> {
  const figures = new Map<string, Figures>()
  const record = (name: string, key: keyof Figures, value: number) => {
    const entry = figures.get(name) ?? { idle: [], loaded: [] }
    entry[key].push(value)
    figures.set(name, entry)
  }
  for (let round = 0; round < rounds; round++) {
    const { api, web } = await startBenchPair()
    const hello = await startService(fastifyHello, { output: 'ignore' })
    const bare = await startService(bareServer, { output: 'ignore' })
    const targets = [
      { name: 'api', service: api, path: '/rng' },
      { name: 'web', service: web, path: '/' },
      { name: 'fastify', service: hello, path: '/health' },
      { name: 'bare', service: bare, path: '/health' },
    ]
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      for (const target of targets) record(target.name, 'idle', rssMiB(target.service))
      for (const target of targets) {
        await load(`${target.service.url}${target.path}`, loadS)
        record(target.name, 'loaded', rssMiB(target.service))
      }
    } finally {
      await Promise.all(targets.map((target) => target.service.stop()))
    }
  }
  const of = (name: string, key: keyof Figures) => figures.get(name)?.[key] ?? []
  const lines: Line[] = []
  for (const [service, label] of [
    ['api', 'numbers-api'],
    ['web', 'numbers-web'],
  ] as const) {
    for (const [key, when] of [
      ['idle', 'idle'],
      ['loaded', `after ${loadS} s of load`],
    ] as const) {
      lines.push(
        atMost(
          {
            what: `${label} RSS ${when}`,
            unit: 'MiB',
            ours: of(service, key),
            baseline: of('fastify', key),
            baselineName: 'minimal Fastify',
          },
          1.2,
        ),
      )
    }
  }
  lines.push({
    what: 'node:http RSS (the floor)',
    info: `idle ${median(of('bare', 'idle')).toFixed(1)} MiB, after ${loadS} s of load ${median(of('bare', 'loaded')).toFixed(1)} MiB`,
  })
  return lines
}
