// The real Docker engine for the e2e suite: run the CLI, read `docker inspect`, wait with a
// deadline, and remove everything a test created (containers, networks, compose projects).
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { describe, test } from 'vitest'
import { type ComposeProject, docker, uniqueName } from '../../../tools/docker.ts'
import { freePort as freePortOn } from '../../../tools/processes.ts'
import { waitFor } from '../../../tools/wait.ts'

export {
  type ComposeProject,
  compose,
  docker,
  repoRoot,
  run,
  uniqueName,
} from '../../../tools/docker.ts'
export { waitFor } from '../../../tools/wait.ts'

/** Every container and network the suite creates carries it, for a manual clean-up. */
export const E2E_LABEL = 'numbers-e2e'

// ------------------------------------------------------------------ is there a Docker?

export const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '')

function probeDocker(): { readonly ok: boolean; readonly reason: string } {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 20_000,
  })
  if (result.error) return { ok: false, reason: result.error.message }
  if (result.status !== 0)
    return { ok: false, reason: result.stderr.trim() || 'docker info failed' }
  return { ok: true, reason: `Docker ${result.stdout.trim()}` }
}

// Asked once, and only by a file that declares Docker tests: importing this module for
// its helpers (repoRoot, run) costs nothing.
let dockerProbe: ReturnType<typeof probeDocker> | undefined

/**
 * `describe` for tests that need a Docker engine. Without one they are skipped, except under
 * CI=true, where a missing engine is a failure: CI must never pass without running them.
 */
export function describeWithDocker(name: string, body: () => void): void {
  dockerProbe ??= probeDocker()
  const probe = dockerProbe
  if (probe.ok) {
    describe(name, body)
  } else if (isCI) {
    describe(name, () => {
      test('has a Docker engine to run against (required under CI=true)', () => {
        throw new Error(`no usable Docker engine: ${probe.reason}`)
      })
    })
  } else {
    console.warn(`skipping "${name}": no usable Docker engine (${probe.reason})`)
    describe.skip(name, body)
  }
}

// ------------------------------------------------------------------ names and clean-up

/** What one test created; `cleanup()` (in afterEach) removes all of it, whatever happened. */
export class Scope {
  readonly #containers: string[] = []
  readonly #networks: string[] = []
  readonly #projects: { name: string; files: string[] }[] = []

  async network(label = 'net'): Promise<string> {
    const name = uniqueName(label)
    await docker(['network', 'create', '--label', E2E_LABEL, name])
    this.#networks.push(name)
    return name
  }

  /** `docker run -d` with a unique name; returns the name (also usable as an id). */
  async container(image: string, options: readonly string[] = [], label = 'c'): Promise<string> {
    const name = uniqueName(label)
    this.#containers.push(name)
    await docker(['run', '-d', '--name', name, '--label', E2E_LABEL, ...options, image])
    return name
  }

  compose(project: ComposeProject): ComposeProject {
    this.#projects.push({ name: project.name, files: [...project.files] })
    return project
  }

  async cleanup(): Promise<void> {
    const results = await Promise.allSettled([
      ...this.#projects.map((project) =>
        docker(
          [
            'compose',
            '-p',
            project.name,
            ...project.files.flatMap((file) => ['-f', file]),
            'down',
            '-v',
            '--remove-orphans',
            '--timeout',
            '2',
          ],
          { allowFailure: true },
        ),
      ),
      this.#containers.length > 0
        ? docker(['rm', '-f', '-v', ...this.#containers], { allowFailure: true })
        : Promise.resolve(undefined),
    ])
    if (this.#networks.length > 0) {
      await docker(['network', 'rm', ...this.#networks], { allowFailure: true })
    }
    this.#containers.length = 0
    this.#networks.length = 0
    this.#projects.length = 0
    for (const result of results) if (result.status === 'rejected') throw result.reason
  }
}

// ------------------------------------------------------------------ compose

/** The container of a compose service, found by the labels Compose sets on it. */
export async function composeContainer(project: ComposeProject, service: string): Promise<string> {
  const { stdout } = await docker([
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${project.name}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
    '--format',
    '{{.ID}}',
  ])
  const ids = stdout.trim().split('\n').filter(Boolean)
  if (ids.length !== 1) throw new Error(`expected one ${service} container, found ${ids.length}`)
  return ids[0] as string
}

// ------------------------------------------------------------------ inspect

export type HealthLogEntry = {
  readonly Start: string
  readonly End: string
  readonly ExitCode: number
  readonly Output: string
}

export type ContainerInfo = {
  readonly Id: string
  readonly RestartCount: number
  readonly State: {
    readonly Status: string
    readonly Running: boolean
    readonly ExitCode: number
    readonly StartedAt: string
    readonly Health?: {
      readonly Status: string
      readonly FailingStreak: number
      readonly Log: readonly HealthLogEntry[]
    } | null
  }
  readonly Config: {
    readonly User: string
    readonly Labels: Readonly<Record<string, string>>
    readonly Healthcheck?: {
      readonly Test?: readonly string[]
      readonly Interval?: number
      readonly Timeout?: number
      readonly Retries?: number
      readonly StartPeriod?: number
    }
  }
  readonly HostConfig: {
    readonly ReadonlyRootfs: boolean
    readonly CapDrop: readonly string[] | null
    readonly SecurityOpt: readonly string[] | null
    readonly Init: boolean | null
    readonly Memory: number
    readonly Tmpfs: Readonly<Record<string, string>> | null
    readonly RestartPolicy: { readonly Name: string }
    readonly PortBindings: Readonly<Record<string, readonly { HostPort: string }[]>>
  }
  readonly NetworkSettings: { readonly Networks: Readonly<Record<string, unknown>> }
}

export async function inspect(container: string): Promise<ContainerInfo> {
  const { stdout } = await docker(['container', 'inspect', container])
  const [info] = JSON.parse(stdout) as ContainerInfo[]
  if (!info) throw new Error(`no container ${container}`)
  return info
}

export const healthOf = async (container: string) => (await inspect(container)).State.Health

export async function logs(container: string): Promise<string> {
  const { stdout, stderr } = await docker(['logs', container])
  return `${stdout}${stderr}`
}

/** `docker ps`'s STATUS column, e.g. `Up 3 seconds (unhealthy)`. */
export async function psStatus(container: string): Promise<string> {
  const { Id } = await inspect(container)
  const { stdout } = await docker(['ps', '-a', '--filter', `id=${Id}`, '--format', '{{.Status}}'])
  return stdout.trim()
}

/** Base URL of a container's published port 80, e.g. `http://127.0.0.1:32768`. */
export async function publishedUrl(container: string): Promise<string> {
  const { stdout } = await docker(['port', container, '80/tcp'])
  const first = stdout.trim().split('\n')[0] ?? ''
  const port = first.slice(first.lastIndexOf(':') + 1)
  return `http://127.0.0.1:${port}`
}

/** A host port nobody listens on right now, on any address (`::` takes IPv4 too). */
export const freePort = (): Promise<number> => freePortOn('::')

/** Whether `port` is free on every host address (what publishing it needs). */
export async function isPortFree(port: number): Promise<boolean> {
  const server = createServer()
  server.listen(port)
  try {
    // Rejects with the 'error' event (EADDRINUSE) if it comes first.
    await once(server, 'listening')
    return true
  } catch {
    return false
  } finally {
    if (server.listening) {
      server.close()
      await once(server, 'close')
    }
  }
}

/** Publish port 80 on an ephemeral loopback port: never 8087/8088, never a collision. */
export const PUBLISH_EPHEMERAL = ['-p', '127.0.0.1::80'] as const

// ------------------------------------------------------------------ waiting and HTTP

export const waitForHealth = (container: string, status: string, timeoutMs: number) =>
  waitFor(
    `${container} to be ${status}`,
    async () => {
      const health = await healthOf(container)
      return health?.Status === status ? health : undefined
    },
    { timeoutMs },
  )

export type HttpReply = { readonly status: number; readonly type: string; readonly body: string }

export async function http(
  url: string,
  init: { method?: string; form?: boolean; timeoutMs?: number } = {},
): Promise<HttpReply> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    ...(init.form
      ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' }
      : {}),
    signal: AbortSignal.timeout(init.timeoutMs ?? 3000),
  })
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.text(),
  }
}

/** Waits until `url` answers 200 (connection refused and resets count as not yet). */
export const waitForHttp = (url: string, timeoutMs = 15_000) =>
  waitFor(
    `${url} to answer 200`,
    async () => {
      const reply = await http(url, { timeoutMs: 1000 })
      return reply.status === 200 ? reply : undefined
    },
    { timeoutMs },
  )
