import { describe, expect, it } from 'vitest'
import { captureLogs } from '../../../../test/helpers/apps.ts'
import { DEFAULT_FAIL_AFTER } from '../../../../test/helpers/config.ts'
import { buildTestApp } from '../helpers.ts'

describe('GET /rng', () => {
  it('answers a bare JSON integer 0-99', async () => {
    const app = buildTestApp()
    const response = await app.inject('/rng')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.body).toMatch(/^\d{1,2}$/)
    const value = response.json<number>()
    expect(Number.isInteger(value) && value >= 0 && value <= 99).toBe(true)
  })

  it('gives numbers spread over 0-99, not one constant', async () => {
    const app = buildTestApp({ FAIL_AFTER: 0 })
    const seen = new Set<number>()
    for (let call = 0; call < 200; call++) seen.add((await app.inject('/rng')).json<number>())
    expect(seen.size).toBeGreaterThan(30)
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...seen)).toBeLessThanOrEqual(99)
  })

  it(`/rng call ${DEFAULT_FAIL_AFTER + 1} answers 500 problem+json with the request id as traceId`, async () => {
    const logs = captureLogs()
    const app = buildTestApp({}, { logger: logs.logger })
    for (let call = 1; call <= DEFAULT_FAIL_AFTER; call++) {
      expect((await app.inject('/rng')).statusCode).toBe(200)
    }
    const next = await app.inject('/rng')
    expect(next.statusCode).toBe(500)
    expect(next.headers['content-type']).toMatch(/^application\/problem\+json/)
    const problem = next.json()
    expect(problem).toMatchObject({
      type: 'urn:numbers:problem:unhealthy',
      title: 'Service unhealthy',
      status: 500,
      instance: '/rng',
    })
    expect(problem.detail).toContain(`after ${DEFAULT_FAIL_AFTER} calls`)
    expect(problem).not.toHaveProperty('stack')
    const completed = logs.lines.find(
      (line) => line.reqId === problem.traceId && line.msg === 'request completed',
    )
    expect(completed).toBeDefined()
  })

  it('every later /rng keeps failing: unhealthy for good', async () => {
    const app = buildTestApp()
    const statuses: number[] = []
    for (let call = 1; call <= 10; call++) statuses.push((await app.inject('/rng')).statusCode)
    expect(statuses).toEqual(
      statuses.map((_status, index) => (index < DEFAULT_FAIL_AFTER ? 200 : 500)),
    )
  })

  it('logs one warn line "turned unhealthy", with FAIL_AFTER and the request id of the last good call', async () => {
    const logs = captureLogs()
    const app = buildTestApp({}, { logger: logs.logger })
    for (let call = 1; call <= 2 * DEFAULT_FAIL_AFTER; call++) await app.inject('/rng')
    const warnings = logs.lines.filter((line) => line.level === 40)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ msg: 'turned unhealthy', failAfter: DEFAULT_FAIL_AFTER })
    const served = logs.lines.filter((line) => line.msg === 'number served')
    expect(warnings[0]?.reqId).toBe(served[DEFAULT_FAIL_AFTER - 1]?.reqId)
  })

  it('logs each number at debug level with the request id', async () => {
    const logs = captureLogs()
    const app = buildTestApp({}, { logger: logs.logger })
    const response = await app.inject('/rng')
    const served = logs.lines.find((line) => line.msg === 'number served')
    expect(served).toMatchObject({ level: 20, number: response.json(), callsServed: 1 })
    expect(served?.reqId).toEqual(expect.any(String))
  })

  it('FAIL_AFTER=1 fails from the 2nd call', async () => {
    const app = buildTestApp({ FAIL_AFTER: 1 })
    expect((await app.inject('/rng')).statusCode).toBe(200)
    expect((await app.inject('/rng')).statusCode).toBe(500)
  })

  it('FAIL_AFTER=0 never fails', async () => {
    const app = buildTestApp({ FAIL_AFTER: 0 })
    for (let call = 0; call < 50; call++) expect((await app.inject('/rng')).statusCode).toBe(200)
    expect((await app.inject('/health')).statusCode).toBe(200)
  })

  it('BROKEN=true fails from the first call', async () => {
    const app = buildTestApp({ BROKEN: true })
    const response = await app.inject('/rng')
    expect(response.statusCode).toBe(500)
    expect(response.json().type).toBe('urn:numbers:problem:unhealthy')
  })

  it('RESPONSE_DELAY_MS adds latency to /rng only', async () => {
    const app = buildTestApp({ RESPONSE_DELAY_MS: 150 })
    const rngStart = performance.now()
    await app.inject('/rng')
    expect(performance.now() - rngStart).toBeGreaterThanOrEqual(140)
    const healthStart = performance.now()
    await app.inject('/health')
    expect(performance.now() - healthStart).toBeLessThan(100)
  })

  it('HEAD /rng answers like GET without a body', async () => {
    const app = buildTestApp()
    const response = await app.inject({ method: 'HEAD', url: '/rng' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.body).toBe('')
  })
})
