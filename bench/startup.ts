// Start-up: from spawning the process to its first 200 (timed by bench/servers/first-200.cjs,
// which asks every millisecond), numbers-api against the smallest Fastify app, alternated in
// one run. On the host, `node dist/server.js` as `pnpm start` runs it; in the production
// image, as the image runs it (its compile cache, a read-only root filesystem, no
// capabilities), against the minimal Fastify app in the same image. Docker's own container
// start is left out: the clock starts inside the container.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { docker, HARDENED_RUN_FLAGS, hasDocker, repoRoot } from '../tools/docker.ts'
import { entryPoints, freePort } from '../tools/processes.ts'
import { atMost, type Line, median } from './lib.ts'

const servers = join(import.meta.dirname, 'servers')
const fastifyHello = join(servers, 'fastify-hello.js')
const first200 = join(servers, 'first-200.cjs')
/** Image and container names; BENCH_DOCKER_PREFIX keeps one run's apart on a shared engine. */
const prefix = process.env.BENCH_DOCKER_PREFIX ?? 'numbers-bench'
const apiImage = `${prefix}-api:latest`

async function onHost(entry: string, env: Record<string, string> = {}): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [first200, process.execPath, entry],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
        ...env,
      },
      timeout: 30_000,
    },
  )
  return Number(stdout)
}

/** How the production image runs (docker-compose.yml's hardening), with the clock inside. */
async function inImage(command: readonly string[], options: readonly string[] = []) {
  const name = `${prefix}-startup-${randomBytes(4).toString('hex')}`
  const { stdout } = await docker([
    'run',
    '--rm',
    '--name',
    name,
    ...HARDENED_RUN_FLAGS,
    '-v',
    `${servers}:/bench:ro`,
    ...options,
    '--entrypoint',
    'node',
    apiImage,
    '/bench/first-200.cjs',
    ...command,
  ])
  return Number(stdout)
}

/** `runs` alternated rounds of every measure after one round not counted (disk cache, JIT). */
async function alternate<K extends string>(
  runs: number,
  measures: Record<K, () => Promise<number>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(measures) as K[]
  const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    K,
    number[]
  >
  for (let run = -1; run < runs; run++) {
    for (const name of names) {
      const elapsed = await measures[name]()
      if (run >= 0) times[name].push(elapsed)
    }
  }
  return times
}

async function hostLines(runs: number): Promise<Line[]> {
  const caches = mkdtempSync(join(tmpdir(), 'numbers-bench-compile-cache-'))
  try {
    const cached = (name: string) => ({ NODE_COMPILE_CACHE: join(caches, name) })
    const times = await alternate(runs, {
      api: () => onHost(entryPoints.api),
      hello: () => onHost(fastifyHello),
      apiCached: () => onHost(entryPoints.api, cached('api')),
      helloCached: () => onHost(fastifyHello, cached('hello')),
    })
    return [
      atMost(
        {
          what: 'numbers-api start → first 200',
          unit: 'ms',
          ours: times.api,
          baseline: times.hello,
          baselineName: 'minimal Fastify',
        },
        1.0,
      ),
      {
        what: 'the same, each with a compile cache filled by an earlier start',
        info: `${median(times.apiCached).toFixed(0)} ms against ${median(times.helloCached).toFixed(0)} ms (${(median(times.apiCached) / median(times.helloCached)).toFixed(2)}×)`,
      },
    ]
  } finally {
    rmSync(caches, { recursive: true, force: true })
  }
}

async function imageLines(runs: number): Promise<Line[]> {
  if (!(await hasDocker())) {
    return [{ what: 'start → first 200 in the image', skipped: 'no Docker engine answers' }]
  }
  await docker(['build', '-f', join(repoRoot, 'Dockerfile.api'), '-t', apiImage, repoRoot], {
    timeoutMs: 600_000,
  })
  // The minimal app beside the image's node_modules, where `fastify` resolves; no compile
  // cache for it, as a minimal image would have none.
  const hello = ['-v', `${fastifyHello}:/app/baseline/fastify-hello.js:ro`]
  const noCache = ['-e', 'NODE_DISABLE_COMPILE_CACHE=1']
  const times = await alternate(runs, {
    api: () => inImage(['node', 'dist/server.js']),
    hello: () => inImage(['node', 'baseline/fastify-hello.js'], [...hello, ...noCache]),
    apiUncached: () => inImage(['node', 'dist/server.js'], noCache),
  })
  return [
    atMost(
      {
        what: 'numbers-api start → first 200 in its production image',
        unit: 'ms',
        ours: times.api,
        baseline: times.hello,
        baselineName: 'minimal Fastify in the same image',
      },
      1.0,
    ),
    {
      what: 'the same without its compile cache (`NODE_DISABLE_COMPILE_CACHE=1`)',
      info: `${median(times.apiUncached).toFixed(0)} ms (${(median(times.apiUncached) / median(times.hello)).toFixed(2)}× the minimal Fastify)`,
    },
  ]
}

export async function startupLines({ runs = 15, imageRuns = 9 } = {}): Promise<Line[]> {
  return [...(await hostLines(runs)), ...(await imageLines(imageRuns))]
}
