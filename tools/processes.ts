// Real service processes for tests and benchmarks: the built `dist/server.js`, as production
// runs it, on a free loopback port, stopped and awaited by the test that started it.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { waitUntil } from './wait.ts'

const root = join(import.meta.dirname, '..')

export const entryPoints = {
  api: join(root, 'services/numbers-api/dist/server.js'),
  web: join(root, 'services/numbers-web/dist/server.js'),
  httpCheck: join(root, 'packages/http-check/dist/cli.js'),
} as const

/** A port nobody listens on right now (the kernel's choice, released at once). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer()
  server.listen(0, host)
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

export type ServiceProcess = {
  readonly child: ChildProcess
  readonly port: number
  /** Base URL on 127.0.0.1, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** Everything the process wrote so far. */
  readonly output: () => { stdout: string; stderr: string }
  /** SIGTERM, then the exit; SIGKILL if it has not exited after `graceMs`. */
  readonly stop: (graceMs?: number) => Promise<{ code: number | null; signal: string | null }>
}

export type StartOptions = {
  readonly env?: Readonly<Record<string, string>>
  readonly port?: number
  /** Resolve once this path answers 200 (default `/health`); `false` to not wait. */
  readonly waitFor?: string | false
  readonly timeoutMs?: number
  /** `ignore` discards the process's stdout and stderr (benchmarks); `output()` is then empty. */
  readonly output?: 'pipe' | 'ignore'
}

export async function startService(
  entry: string,
  { env = {}, port, waitFor = '/health', timeoutMs = 10_000, output = 'pipe' }: StartOptions = {},
): Promise<ServiceProcess> {
  const chosenPort = port ?? (await freePort())
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(chosenPort),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', output, output],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }))
  const service: ServiceProcess = {
    child,
    port: chosenPort,
    url: `http://127.0.0.1:${chosenPort}`,
    output: () => ({ stdout, stderr }),
    stop: async (graceMs = 3000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
        const result = await exited
        clearTimeout(timer)
        return result
      }
      return exited
    },
  }
  if (waitFor !== false) {
    try {
      await waitUntil(async () => (await statusOf(`${service.url}${waitFor}`)) === 200, {
        timeoutMs,
        intervalMs: 50,
        what: `${waitFor} to answer 200`,
      })
    } catch (error) {
      await service.stop()
      throw new Error(`${entry} did not answer ${waitFor}: ${stderr || stdout}`, { cause: error })
    }
  }
  return service
}

export const startApi = (options?: StartOptions) => startService(entryPoints.api, options)
export const startWeb = (options?: StartOptions) => startService(entryPoints.web, options)

/** The HTTP status of a GET, or 0 when nothing answered. */
export async function statusOf(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
    await response.body?.cancel()
    return response.status
  } catch {
    return 0
  }
}
