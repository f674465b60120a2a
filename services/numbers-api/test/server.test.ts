// numbers-api as a real process on a real socket, as `pnpm --filter numbers-api start` runs it.
import { spawnSync } from 'node:child_process'
import { Agent, request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_FAIL_AFTER } from '../../../test/helpers/config.ts'
import {
  entryPoints,
  freePort,
  type ServiceProcess,
  startApi,
  statusOf,
} from '../../../tools/processes.ts'

describe('numbers-api process', () => {
  const running: ServiceProcess[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((service) => service.stop()))
  })
  async function api(...args: Parameters<typeof startApi>) {
    const service = await startApi(...args)
    running.push(service)
    return service
  }

  it(`200 concurrent /rng on a fresh instance: exactly ${DEFAULT_FAIL_AFTER} succeed`, async () => {
    const service = await api()
    const dispatcher = new Agent({ connections: 200 })
    try {
      const statuses = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const response = await request(`${service.url}/rng`, { dispatcher })
          await response.body.dump()
          return response.statusCode
        }),
      )
      expect(statuses.filter((status) => status === 200)).toHaveLength(DEFAULT_FAIL_AFTER)
      expect(statuses.filter((status) => status === 500)).toHaveLength(200 - DEFAULT_FAIL_AFTER)
    } finally {
      await dispatcher.close()
    }
  })

  it(`answers ${DEFAULT_FAIL_AFTER} numbers, then 500 problem+json, and /health flips at the same moment`, async () => {
    const service = await api({ env: { LOG_LEVEL: 'info' } })
    for (let call = 1; call <= DEFAULT_FAIL_AFTER; call++) {
      expect(await statusOf(`${service.url}/health`)).toBe(200)
      const response = await request(`${service.url}/rng`)
      expect(response.statusCode).toBe(200)
      expect(Number(await response.body.text())).toBeLessThan(100)
    }
    expect(await statusOf(`${service.url}/health`)).toBe(500)
    const fourth = await request(`${service.url}/rng`)
    expect(fourth.statusCode).toBe(500)
    expect(fourth.headers['content-type']).toMatch(/^application\/problem\+json/)
    const problem = (await fourth.body.json()) as { traceId: string }
    await expect.poll(() => service.output().stdout).toContain(problem.traceId)
  })

  it('logs JSON lines with the request id, and the warn line when it turns unhealthy', async () => {
    const service = await api({ env: { LOG_LEVEL: 'info' } })
    for (let call = 1; call <= DEFAULT_FAIL_AFTER; call++) {
      await (await request(`${service.url}/rng`)).body.dump()
    }
    const unhealthy = 'turned unhealthy'
    await expect.poll(() => service.output().stdout).toContain(unhealthy)
    const lines = service
      .output()
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const warn = lines.find((line) => line.msg === unhealthy)
    expect(warn).toMatchObject({
      level: 40,
      failAfter: DEFAULT_FAIL_AFTER,
      reqId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
  })

  it('SIGTERM when idle exits 0 in well under a second', async () => {
    const service = await api()
    const started = performance.now()
    const { code } = await service.stop()
    expect(code).toBe(0)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('SIGTERM during a slow request lets it finish, then exits 0', async () => {
    const service = await api({ env: { RESPONSE_DELAY_MS: '400', LOG_LEVEL: 'debug' } })
    const inFlight = request(`${service.url}/rng`)
    // In flight once its "incoming request" line (debug) is logged.
    await expect.poll(() => service.output().stdout, { interval: 10 }).toContain('"url":"/rng"')
    const stopped = service.stop()
    const response = await inFlight
    expect(response.statusCode).toBe(200)
    expect(Number(await response.body.text())).toBeGreaterThanOrEqual(0)
    expect(await stopped, service.output().stderr).toEqual({ code: 0, signal: null })
  })

  it('listens on IPv4 and IPv6 at once with the default HOST', async () => {
    const port = await freePort()
    const service = await api({ port, env: { HOST: '::' } })
    expect(await statusOf(`http://127.0.0.1:${service.port}/health`)).toBe(200)
    expect(await statusOf(`http://[::1]:${service.port}/health`)).toBe(200)
  })

  it('refuses to start on bad config: exit 1, one line naming every bad key, no stack', () => {
    const result = spawnSync(process.execPath, [entryPoints.api], {
      env: { PATH: process.env.PATH ?? '', PORT: 'abc', FAIL_AFTER: '-2', BROKEN: 'maybe' },
      encoding: 'utf8',
      timeout: 5000,
    })
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toEqual([
      'numbers-api: invalid configuration: PORT must be an integer 1-65535, got "abc"; ' +
        'FAIL_AFTER must be an integer 0-1000000000, got "-2"; BROKEN must be true or false, got "maybe"',
    ])
  })

  it('exits 1 with a clear log line when the port is taken', async () => {
    const first = await api()
    const result = spawnSync(process.execPath, [entryPoints.api], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(first.port) },
      encoding: 'utf8',
      timeout: 5000,
    })
    expect(result.status).toBe(1)
    expect(result.stdout).toContain('EADDRINUSE')
  })
})
