// The images as users run them: size against the Node image, the rebuild after a one-line
// edit, `docker stop` time, `docker compose up --wait` until both are healthy, and what one
// HEALTHCHECK run costs inside the container. Skipped, with a line saying so, where there is
// no Docker.
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { compose, docker, hasDocker, repoRoot, uniqueName } from '../tools/docker.ts'
import { freePort } from '../tools/processes.ts'
import { waitFor } from '../tools/wait.ts'
import { atMost, judged, type Line, median } from './lib.ts'

const BASE = 'node:24-bookworm-slim'
const images = { api: 'numbers-bench-api:latest', web: 'numbers-bench-web:latest' } as const
/** The lesson image with curl as its HEALTHCHECK: what http-check's price is read against. */
const curlImage = 'numbers-bench-api:v2'
const MB = 1_000_000

async function sizeMb(image: string): Promise<number> {
  const { stdout } = await docker(['image', 'inspect', '--format', '{{.Size}}', image])
  return Number(stdout.trim()) / MB
}

/** Builds both images from `context`; returns the wall time in ms. */
async function build(context = '.', flags: readonly string[] = []): Promise<number> {
  const started = performance.now()
  for (const app of ['api', 'web'] as const) {
    await docker(
      ['build', ...flags, '-f', join(context, `Dockerfile.${app}`), '-t', images[app], context],
      { timeoutMs: 600_000 },
    )
  }
  return performance.now() - started
}

/**
 * Both images built with --no-cache (the pnpm store in its cache mount stays warm), then
 * rebuilt after one line of source changed: with the manifests copied before the source,
 * the rebuild skips the install. Runs on a copy of the tree, so the repository is untouched.
 */
async function rebuildTimes(runs: number): Promise<{ full: number[]; edit: number[] }> {
  const copy = mkdtempSync(join(tmpdir(), 'numbers-bench-context-'))
  try {
    execFileSync('sh', [
      '-c',
      `tar -C "$0" --exclude=node_modules --exclude=.git -cf - . | tar -C "$1" -xf -`,
      repoRoot,
      copy,
    ])
    const full: number[] = []
    const edit: number[] = []
    for (let run = 0; run < runs; run++) {
      full.push(await build(copy, ['--no-cache']))
      appendFileSync(join(copy, 'services/numbers-api/src/app.ts'), `// edit ${run}\n`)
      edit.push(await build(copy))
    }
    return { full, edit }
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
}

async function waitUntilListening(container: string): Promise<void> {
  await waitFor(
    `${container} to listen`,
    async () => {
      const { code } = await docker(['exec', container, 'node', '-e', probeScript], {
        allowFailure: true,
      })
      return code === 0 ? true : undefined
    },
    { timeoutMs: 20_000 },
  )
}

/** Median time of `docker stop` on a fresh, idle container started with `args`. */
async function stopTimes(args: readonly string[], runs: number): Promise<number[]> {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const name = uniqueName('bench-stop')
    await docker(['run', '-d', '--name', name, ...args])
    try {
      await waitUntilListening(name)
      const started = performance.now()
      await docker(['stop', name])
      times.push(performance.now() - started)
    } finally {
      await docker(['rm', '-f', name], { allowFailure: true })
    }
  }
  return times
}

// Asks localhost:80 from inside the container (no curl there); exit 0 on any answer.
const probeScript =
  "require('node:http').get('http://127.0.0.1:'+(process.env.PORT||80)+'/health',r=>process.exit(0)).on('error',()=>process.exit(1))"

/** Wall time of one `docker exec` of `command` in `container`, in ms. */
async function execTime(container: string, command: readonly string[]): Promise<number> {
  const started = performance.now()
  await docker(['exec', container, ...command])
  return performance.now() - started
}

async function composeUpUntilHealthy(): Promise<number> {
  const project = {
    name: uniqueName('bench'),
    files: [join(repoRoot, 'docker-compose.yml')],
    env: {
      NUMBERS_API_IMAGE: images.api,
      NUMBERS_WEB_IMAGE: images.web,
      NUMBERS_API_PORT: `127.0.0.1:${await freePort()}`,
      NUMBERS_WEB_PORT: `127.0.0.1:${await freePort()}`,
    },
  }
  try {
    const started = performance.now()
    // As the README says: Compose itself waits until both report healthy.
    await compose(project, ['up', '-d', '--no-build', '--wait', '--wait-timeout', '60'])
    return performance.now() - started
  } finally {
    await compose(project, ['down', '-v', '--timeout', '2'])
  }
}

export async function containerLines({ runs = 5 } = {}): Promise<Line[]> {
  if (!(await hasDocker())) return [{ what: 'containers', skipped: 'no Docker engine answers' }]
  const rebuilds = await rebuildTimes(2)
  const lines: Line[] = [
    atMost(
      {
        what: 'rebuild of both images after a one-line source edit',
        unit: 'ms',
        ours: rebuilds.edit,
        baseline: rebuilds.full,
        baselineName: '`--no-cache` build of both, package store warm',
        digits: 0,
      },
      0.4,
    ),
  ]
  await build()
  const base = await sizeMb(BASE)
  for (const app of ['api', 'web'] as const) {
    lines.push(
      judged(
        {
          what: `numbers-${app} image size`,
          unit: 'MB',
          ours: [await sizeMb(images[app])],
          baseline: [base],
          baselineName: BASE,
        },
        '≤ base',
        (ours, baseline) => ours <= baseline,
      ),
    )
  }

  const bareServer = ['-v', `${join(repoRoot, 'bench/servers')}:/bench:ro`, '-e', 'PORT=80']
  const bare = await stopTimes([...bareServer, BASE, 'node', '/bench/bare.js'], runs)
  for (const app of ['api', 'web'] as const) {
    // The web's own dependency check would stop it without an API: start its app alone.
    const entry =
      app === 'web' ? ['--entrypoint', 'node', images.web, 'dist/server.js'] : [images.api]
    lines.push(
      judged(
        {
          what: `numbers-${app} \`docker stop\``,
          unit: 'ms',
          ours: await stopTimes(entry, runs),
          baseline: bare,
          baselineName: 'node:http as PID 1, no SIGTERM handler',
        },
        '< 1000 ms',
        (ours) => ours < 1000,
      ),
    )
  }

  const ups: number[] = []
  for (let run = 0; run < 5; run++) ups.push(await composeUpUntilHealthy())
  // The seed's budget: the web's start_period + interval + 1 s, as docker-compose.yml sets them.
  const budgetMs = (10 + 5 + 1) * 1000
  lines.push(
    atMost(
      {
        what: '`docker compose up -d --wait` → both healthy',
        unit: 'ms',
        ours: ups,
        baseline: [budgetMs],
        baselineName: "the seed's budget: start_period + interval + 1 s",
        digits: 0,
      },
      0.25,
    ),
  )

  await docker(['build', '-f', 'Dockerfile.api', '--target', 'v2', '-t', curlImage, '.'], {
    timeoutMs: 600_000,
  })
  const name = uniqueName('bench-check')
  const curlName = uniqueName('bench-curl')
  await docker(['run', '-d', '--name', name, images.api])
  await docker(['run', '-d', '--name', curlName, curlImage])
  try {
    await Promise.all([waitUntilListening(name), waitUntilListening(curlName)])
    // What the image's HEALTHCHECK runs, against the floor of any Node check and against
    // curl in the v2 image, all through `docker exec` as Docker runs them, interleaved.
    const check: number[] = []
    const floor: number[] = []
    const curl: number[] = []
    for (let run = 0; run < 30; run++) {
      check.push(await execTime(name, ['node', '/opt/http-check/dist/cli.js', '-t', '500']))
      floor.push(await execTime(name, ['node', '-e', '0']))
      curl.push(await execTime(curlName, ['curl', '--fail', '--silent', 'http://localhost/health']))
    }
    lines.push(
      atMost(
        {
          what: 'one HEALTHCHECK run inside the api container (`docker exec`)',
          unit: 'ms',
          ours: check,
          baseline: floor,
          baselineName: '`node -e 0` the same way',
        },
        1.1,
      ),
    )
    lines.push({
      what: 'curl in the v2 image, the same way',
      info: `${median(curl).toFixed(0)} ms (${(median(curl) / median(floor)).toFixed(2)}× \`node -e 0\`)`,
    })
  } finally {
    await docker(['rm', '-f', name, curlName], { allowFailure: true })
  }
  return lines
}
