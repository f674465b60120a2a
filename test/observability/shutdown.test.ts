// SHUTDOWN_DELAY_MS on real processes: on SIGTERM /ready turns 503 at once, every
// other request (on new connections too) is still served for the delay, then the
// service stops accepting and exits 0. What a load balancer needs to follow it.
import { once } from 'node:events'
import { get } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { entryPoints, type ServiceProcess, startService } from '../../tools/processes.ts'
import { waitUntil } from '../../tools/wait.ts'

const DELAY_MS = 1500

type Answer = { readonly path: string; readonly status: number; readonly body: string }

/** One GET on a connection of its own (as a new client would); undefined once the service is gone. */
async function getFresh(url: string): Promise<Answer | undefined> {
  const request = get(url, { agent: false, timeout: 2000 })
  try {
    const [response] = (await once(request, 'response')) as [import('node:http').IncomingMessage]
    let body = ''
    for await (const chunk of response) body += chunk
    return { path: new URL(url).pathname, status: response.statusCode ?? 0, body }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return undefined
    throw error
  }
}

const services = [
  {
    name: 'numbers-api',
    entry: entryPoints.api,
    env: { FAIL_AFTER: '0' },
    paths: ['/rng', '/health'],
  },
  // Nothing listens on port 9: the web serves its page and /health without the API.
  {
    name: 'numbers-web',
    entry: entryPoints.web,
    env: { RNG_API_URL: 'http://127.0.0.1:9/rng' },
    paths: ['/', '/health'],
  },
] as const

describe('shutdown with SHUTDOWN_DELAY_MS', () => {
  const running: ServiceProcess[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((service) => service.stop()))
  })

  it.each(services)(
    '$name: after SIGTERM, /ready answers 503 throughout the delay while every other request succeeds, then it stops accepting and exits 0',
    async ({ entry, env, paths }) => {
      const service = await startService(entry, {
        env: { ...env, SHUTDOWN_DELAY_MS: String(DELAY_MS), LOG_LEVEL: 'info' },
      })
      running.push(service)
      const exited = once(service.child, 'exit')
      const signalledAt = performance.now()
      service.child.kill('SIGTERM')
      await waitUntil(() => service.output().stdout.includes('"msg":"shutting down"'), {
        timeoutMs: 2000,
        intervalMs: 5,
        what: 'the "shutting down" line',
      })

      // Rounds of requests until the service stops accepting. Those that finished within
      // DELAY_MS of the signal ran during the delay (it starts once the signal is handled);
      // the ones after may meet the close (refused, reset, 503 on a closing connection).
      const answers: Answer[] = []
      let lastRoundAt = signalledAt
      for (;;) {
        const round = await Promise.all(
          ['/ready', ...paths].map((path) => getFresh(`${service.url}${path}`)),
        )
        const finishedAt = performance.now()
        if (round.some((answer) => answer === undefined)) break
        if (finishedAt - signalledAt <= DELAY_MS) {
          answers.push(...(round as Answer[]))
          lastRoundAt = finishedAt
        }
        if (finishedAt - signalledAt > DELAY_MS + 5000) throw new Error('never stopped accepting')
      }

      const ready = answers.filter((answer) => answer.path === '/ready')
      const others = answers.filter((answer) => answer.path !== '/ready')
      expect(ready.length).toBeGreaterThan(3)
      for (const answer of ready) {
        expect(answer.status).toBe(503)
        expect(JSON.parse(answer.body)).toMatchObject({
          type: 'urn:numbers:problem:shutting-down',
          detail: 'Shutting down: out of rotation, still serving until it stops accepting.',
        })
      }
      expect(others.map((answer) => answer.status)).toEqual(others.map(() => 200))
      // Served until (close to) the end of the delay, not cut short.
      expect(lastRoundAt - signalledAt).toBeGreaterThan(DELAY_MS - 300)
      expect(await exited).toEqual([0, null])
      const events = service
        .output()
        .stdout.trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { msg: string }).msg)
      const closing = events.indexOf('delay over; closing')
      expect(closing).toBeGreaterThan(events.indexOf('shutting down'))
      expect(events.indexOf('closed')).toBeGreaterThan(closing)
    },
  )
})
