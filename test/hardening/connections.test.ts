// Clients that pipeline without reading, against both services as real processes on
// loopback: each such connection is closed once it goes over a bound, the process stays
// small (peak RSS from the kernel) and /health keeps answering everyone else.
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { MAX_PIPELINED } from '../../packages/service/src/connections.ts'
import { entryPoints, startService } from '../../tools/processes.ts'
import { waitUntil } from '../../tools/wait.ts'

const SOCKETS = 8
const PIPELINED = 20_000
/** Swarm and k8s give each container 128 Mi; compose gives 256 MB. */
const CONTAINER_LIMIT_BYTES = 128 * 1024 * 1024
/** Before the bounds, 4 sockets took the web from 89 MB to 855 MB. */
const MAX_GROWTH_BYTES = 40 * 1024 * 1024

/** A line of the kernel's account of a process's memory, in bytes. */
function memoryOf(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]
  if (kb === undefined) throw new Error(`no ${field} for ${pid}`)
  return Number(kb) * 1024
}

const figures: string[] = []
afterAll(() => {
  for (const figure of figures) console.log(`hardening: ${figure}`)
})

/**
 * Connects, writes `count` pipelined requests at once without reading an answer, and
 * resolves once the server has closed the connection, with the bytes it had answered.
 */
async function floodWithoutReading(port: number, request: string, count: number) {
  const socket: Socket = connect(port, '127.0.0.1')
  onTestFinished(() => {
    socket.destroy()
  })
  socket.pause()
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise((resolve) => socket.once('connect', resolve))
  await new Promise<void>((resolve) => socket.write(request.repeat(count), () => resolve()))
  // Only now read what came back, to see the connection end.
  let answered = ''
  socket.setEncoding('latin1')
  socket.on('data', (text: string) => {
    answered += text
  })
  socket.resume()
  await closed
  return answered.split('HTTP/1.1 ').length - 1
}

const services = [
  {
    name: 'numbers-api',
    entry: entryPoints.api,
    env: { FAIL_AFTER: '0' },
    request: 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n',
  },
  {
    name: 'numbers-web',
    entry: entryPoints.web,
    env: { RNG_API_URL: 'http://127.0.0.1:1/rng' },
    request: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
  },
] as const

describe.each(services)(
  '$name flooded with pipelined requests',
  ({ name, entry, env, request }) => {
    it(`${SOCKETS} sockets × ${PIPELINED} pipelined requests, never read: each is closed, peak RSS stays under 128 MiB, /health stays fast`, async () => {
      const service = await startService(entry, { env: { ...env, LOG_LEVEL: 'warn' } })
      onTestFinished(async () => {
        await service.stop()
      })
      const pid = service.child.pid
      const before = memoryOf(pid, 'VmRSS')

      const floods = Array.from({ length: SOCKETS }, () =>
        floodWithoutReading(service.port, request, PIPELINED),
      )
      // Everyone else is served meanwhile, and quickly.
      const healthMs: number[] = []
      let flooding = true
      const probing = (async () => {
        while (flooding || healthMs.length < 5) {
          const startedAt = performance.now()
          const status = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(2000) })
            .then(async (response) => {
              await response.text()
              return response.status
            })
            .catch(() => 0)
          healthMs.push(status === 200 ? performance.now() - startedAt : Number.POSITIVE_INFINITY)
        }
      })()
      let deadline: NodeJS.Timeout | undefined
      const answered = await Promise.race([
        Promise.all(floods),
        new Promise<never>((_resolve, reject) => {
          deadline = setTimeout(
            () => reject(new Error('flooding sockets still open after 20 s')),
            20_000,
          )
        }),
      ]).finally(() => {
        clearTimeout(deadline)
        flooding = false
      })
      await probing

      const peak = memoryOf(pid, 'VmHWM')
      const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
      figures.push(
        `${name}: ${SOCKETS} sockets × ${PIPELINED} pipelined requests (${mb(SOCKETS * PIPELINED * request.length)}), ` +
          `RSS ${mb(before)} → peak ${mb(peak)}, /health max ${Math.round(Math.max(...healthMs))} ms over ${healthMs.length} probes`,
      )
      for (const count of answered) expect(count).toBeLessThanOrEqual(MAX_PIPELINED)
      expect(peak).toBeLessThan(CONTAINER_LIMIT_BYTES)
      expect(peak - before).toBeLessThan(MAX_GROWTH_BYTES)
      expect(Math.max(...healthMs)).toBeLessThan(500)
      expect(service.child.exitCode).toBeNull()
      await waitUntil(
        () =>
          service.output().stdout.split('connection closed: over a bound').length - 1 === SOCKETS,
        { what: `${SOCKETS} "connection closed: over a bound" lines` },
      )
    }, 60_000)

    it(`${MAX_PIPELINED} pipelined requests are all answered; one more closes the connection`, async () => {
      const service = await startService(entry, { env: { ...env, LOG_LEVEL: 'warn' } })
      onTestFinished(async () => {
        await service.stop()
      })
      const last = request.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')
      const within = await floodWithoutReading(
        service.port,
        request.repeat(MAX_PIPELINED - 1) + last,
        1,
      )
      expect(within).toBe(MAX_PIPELINED)
      const over = await floodWithoutReading(service.port, request, MAX_PIPELINED + 1)
      expect(over).toBeLessThan(MAX_PIPELINED + 1)
    })
  },
)
