// Faults injected into real processes on loopback: an API frozen mid-flight (SIGSTOP), an
// API that floods the web with huge answers, and SIGTERM in the middle of a load. The web
// answers within its deadlines and stays small; a stopping service loses no request.
// (A down, hanging, garbage-answering or recovering API: services/numbers-web/test/integration.test.ts.)
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { Pool } from 'undici'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import {
  type ServiceProcess,
  type StartOptions,
  startApi,
  startWeb,
} from '../../tools/processes.ts'
import { waitUntil } from '../../tools/wait.ts'
import { type StubApi, startStubApi } from '../helpers/servers.ts'

const faults: Record<string, number> = {}
function injected(kind: string, times = 1): void {
  faults[kind] = (faults[kind] ?? 0) + times
}
afterAll(() => {
  const total = Object.values(faults).reduce((sum, times) => sum + times, 0)
  const kinds = Object.entries(faults).map(([kind, times]) => `${kind} ×${times}`)
  console.log(`hardening: ${total} faults injected (${kinds.join(', ')})`)
})

async function started(start: Promise<ServiceProcess>): Promise<ServiceProcess> {
  const service = await start
  onTestFinished(async () => {
    service.child.kill('SIGCONT')
    await service.stop()
  })
  return service
}
const api = (env: Record<string, string>, options: StartOptions = {}) =>
  started(startApi({ ...options, env }))
const web = (env: Record<string, string>) => started(startWeb({ env }))

async function timed(url: string): Promise<{ status: number; body: string; ms: number }> {
  const startedAt = performance.now()
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  const body = await response.text()
  return { status: response.status, body, ms: performance.now() - startedAt }
}

/** Resident memory of a process, from the kernel's own count. */
function rssBytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`)
  return Number(kb) * 1024
}

describe('an API frozen with SIGSTOP', () => {
  const TIMEOUT_MS = 500
  /** Process scheduling on a busy 2-core machine, on top of the web's own deadline. */
  const MARGIN_MS = 700

  it('costs /api/number no more than RNG_API_TIMEOUT_MS, leaves /health fast, and numbers return on SIGCONT', async () => {
    const rng = await api({ FAIL_AFTER: '0' })
    const page = await web({
      RNG_API_URL: `${rng.url}/rng`,
      RNG_API_TIMEOUT_MS: String(TIMEOUT_MS),
      API_STATUS_CACHE_MS: '0',
    })
    expect((await timed(`${page.url}/api/number`)).status).toBe(200)
    rng.child.kill('SIGSTOP')
    injected('SIGSTOP')
    // The kernel still accepts connections for a stopped process: only the deadline helps.
    const pending = timed(`${page.url}/api/number`)
    const health = []
    for (let probe = 0; probe < 5; probe += 1) health.push(await timed(`${page.url}/health`))
    const answer = await pending
    expect(answer.status).toBe(503)
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'urn:numbers:problem:rng-unavailable' })
    expect(answer.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS)
    for (const probe of health) {
      expect(probe).toMatchObject({ status: 200, body: 'Ok' })
      expect(probe.ms).toBeLessThan(300)
    }
    const status = await timed(`${page.url}/api/status`)
    expect(JSON.parse(status.body)).toEqual({ api: 'unreachable' })
    expect(status.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS)
    expect((await timed(`${page.url}/ready`)).status).toBe(503)

    rng.child.kill('SIGCONT')
    await waitUntil(async () => (await timed(`${page.url}/api/number`)).status === 200, {
      intervalMs: 50,
      what: 'a number from the thawed API',
    })
    expect(JSON.parse((await timed(`${page.url}/api/status`)).body)).toEqual({ api: 'healthy' })
  })
})

describe('an API that answers huge bodies, again and again', () => {
  const CALLS = 200
  const MAX_GROWTH_BYTES = 30 * 1024 * 1024

  function floodingApi(): Promise<StubApi> {
    const huge = Buffer.alloc(4 * 1024 * 1024, '7')
    let call = 0
    return startStubApi((_request, response) => {
      response.on('error', () => {})
      call += 1
      switch (call % 3) {
        case 0: // 4 MB with a Content-Length
          response.writeHead(200, { 'content-type': 'application/json' }).end(huge)
          return
        case 1: {
          // An endless chunked stream, until the web hangs up
          response.writeHead(200, { 'content-type': 'application/json' })
          const chunk = huge.subarray(0, 64 * 1024)
          const pump = () => {
            while (!response.destroyed && response.write(chunk)) {}
            if (!response.destroyed) response.once('drain', pump)
          }
          pump()
          return
        }
        default: // 60 KB of headers
          response.writeHead(200, { 'x-filler': 'a'.repeat(60 * 1024) }).end('7')
      }
    })
  }

  it(`keeps the web's RSS within 30 MB over ${CALLS} calls, each "unavailable"`, async () => {
    const flood = await floodingApi()
    const page = await web({
      RNG_API_URL: flood.rngUrl,
      API_STATUS_CACHE_MS: '0',
      // V8 grows its heap lazily, so RSS climbs for a while even on good answers. A small old
      // space makes it collect instead: what is left is what the web holds on to (a leak
      // would also end in a crash, which the last /health would see).
      NODE_OPTIONS: '--max-old-space-size=48',
    })
    const call = async () => {
      const response = await fetch(`${page.url}/api/number`)
      await response.body?.cancel()
      return response.status
    }
    const calls = async (count: number) => {
      const statuses: number[] = []
      // Ten at a time: as many huge answers in flight as a busy page would see.
      for (let done = 0; done < count; done += 10) {
        statuses.push(...(await Promise.all(Array.from({ length: 10 }, call))))
      }
      return statuses
    }
    await calls(30) // warm-up: JIT, pools and buffers reach their steady size
    const before = rssBytes(page.child.pid)
    const statuses = await calls(CALLS)
    injected('huge API answers', CALLS + 30)
    const after = rssBytes(page.child.pid)
    const growthMb = ((after - before) / 1024 / 1024).toFixed(1)
    console.log(`web RSS over ${CALLS} huge answers: ${growthMb} MB growth`)
    expect(new Set(statuses)).toEqual(new Set([503]))
    expect(after - before).toBeLessThan(MAX_GROWTH_BYTES)
    expect((await timed(`${page.url}/health`)).status).toBe(200)
  }, 30_000)
})

describe('SIGTERM in the middle of a load', () => {
  const IN_FLIGHT = 50
  const DELAY_MS = 1000

  /** Resolves `refused` once a new TCP connection is refused, `accepted` otherwise. */
  function tryConnect(port: number): Promise<'refused' | 'accepted'> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve('accepted')
      })
      socket.once('error', (error: NodeJS.ErrnoException) => {
        resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'accepted')
      })
    })
  }

  it('completes every accepted request with 200, refuses new connections, exits 0 and logs "closed" last', async () => {
    const rng = await api(
      { FAIL_AFTER: '0', RESPONSE_DELAY_MS: String(DELAY_MS), LOG_LEVEL: 'debug' },
      { timeoutMs: 10_000 },
    )
    const pool = new Pool(rng.url, { connections: IN_FLIGHT })
    onTestFinished(() => pool.destroy())
    const done: number[] = []
    const requests = Array.from({ length: IN_FLIGHT }, async () => {
      const { statusCode, headers, body } = await pool.request({ method: 'GET', path: '/rng' })
      const text = await body.text()
      done.push(performance.now())
      return { statusCode, connection: headers.connection, text }
    })
    // Every request has reached a handler: its "incoming request" line (debug) is in the log.
    const incoming = () => (rng.output().stdout.match(/"url":"\/rng"/g) ?? []).length
    await waitUntil(() => incoming() >= IN_FLIGHT, {
      timeoutMs: DELAY_MS * 0.8,
      what: `${IN_FLIGHT} requests in flight`,
    })

    const exited = once(rng.child, 'exit')
    rng.child.kill('SIGTERM')
    injected('SIGTERM under load')
    await waitUntil(async () => (await tryConnect(rng.port)) === 'refused', {
      timeoutMs: DELAY_MS,
      intervalMs: 50,
      what: 'new connections refused',
    })
    const completedWhenRefused = done.length

    const answers = await Promise.all(requests)
    const [code] = await exited
    const exitedAt = performance.now()
    expect(completedWhenRefused).toBeLessThan(IN_FLIGHT)
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200)
      expect(answer.text).toMatch(/^\d{1,2}$/)
      // Told to hang up, so the client does not reuse a connection that is going away.
      expect(answer.connection).toBe('close')
    }
    expect(code).toBe(0)
    expect(exitedAt - Math.max(...done)).toBeLessThan(1000)
    expect(await tryConnect(rng.port)).toBe('refused')

    // Nothing lost: every /rng request's completion is logged, and "closed" is the last line.
    type LogLine = { msg: string; reqId?: string; req?: { url: string } }
    const lines = rng
      .output()
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogLine)
    const rngIds = lines.filter((line) => line.req?.url === '/rng').map((line) => line.reqId)
    const completedIds = new Set(
      lines.filter((line) => line.msg === 'request completed').map((line) => line.reqId),
    )
    expect(rngIds).toHaveLength(IN_FLIGHT)
    for (const id of rngIds) expect(completedIds.has(id)).toBe(true)
    expect(lines.at(-1)?.msg).toBe('closed')
  }, 20_000)
})
