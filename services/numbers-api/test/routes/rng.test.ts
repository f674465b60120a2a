import { describe, expect, it } from 'vitest'
import { buildTestApp } from '../helper.ts'

describe('GET /rng', () => {
  const setup = buildTestApp

  it('answers a bare JSON integer 0-99', async () => {
    const { app } = setup()
    const response = await app.inject('/rng')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.body).toMatch(/^\d{1,2}$/)
    const value = response.json<number>()
    expect(Number.isInteger(value) && value >= 0 && value <= 99).toBe(true)
  })

  it('gives numbers spread over 0-99, not one constant', async () => {
    const { app } = setup({ FAIL_AFTER: 0 })
    const seen = new Set<number>()
    for (let call = 0; call < 200; call++) seen.add((await app.inject('/rng')).json<number>())
    expect(seen.size).toBeGreaterThan(30)
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...seen)).toBeLessThanOrEqual(99)
  })

  it('4th /rng answers 500 problem+json with the request id as traceId', async () => {
    const { app, logs } = setup()
    for (let call = 1; call <= 3; call++) expect((await app.inject('/rng')).statusCode).toBe(200)
    const fourth = await app.inject('/rng')
    expect(fourth.statusCode).toBe(500)
    expect(fourth.headers['content-type']).toMatch(/^application\/problem\+json/)
    const problem = fourth.json()
    expect(problem).toMatchObject({
      type: 'urn:numbers:problem:unhealthy',
      title: 'Service unhealthy',
      status: 500,
      instance: '/rng',
    })
    expect(problem.detail).toContain('after 3 calls')
    expect(problem).not.toHaveProperty('stack')
    const completed = logs.find(
      (line) => line.reqId === problem.traceId && line.msg === 'request completed',
    )
    expect(completed).toBeDefined()
  })

  it('every later /rng keeps failing: unhealthy for good', async () => {
    const { app } = setup()
    const statuses: number[] = []
    for (let call = 1; call <= 10; call++) statuses.push((await app.inject('/rng')).statusCode)
    expect(statuses).toEqual([200, 200, 200, 500, 500, 500, 500, 500, 500, 500])
  })

  it('logs one warn line "unhealthy after 3 calls" with the request id of the 3rd call', async () => {
    const { app, logs } = setup()
    for (let call = 1; call <= 6; call++) await app.inject('/rng')
    const warnings = logs.filter((line) => line.level === 40)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.msg).toBe('unhealthy after 3 calls')
    const third = logs.filter((line) => line.msg === 'number served')[2]
    expect(warnings[0]?.reqId).toBe(third?.reqId)
  })

  it('logs each number at debug level with the request id', async () => {
    const { app, logs } = setup()
    const response = await app.inject('/rng')
    const served = logs.find((line) => line.msg === 'number served')
    expect(served).toMatchObject({ level: 20, number: response.json(), callsServed: 1 })
    expect(served?.reqId).toEqual(expect.any(String))
  })

  it('FAIL_AFTER=1 fails from the 2nd call', async () => {
    const { app } = setup({ FAIL_AFTER: 1 })
    expect((await app.inject('/rng')).statusCode).toBe(200)
    expect((await app.inject('/rng')).statusCode).toBe(500)
  })

  it('FAIL_AFTER=0 never fails', async () => {
    const { app } = setup({ FAIL_AFTER: 0 })
    for (let call = 0; call < 50; call++) expect((await app.inject('/rng')).statusCode).toBe(200)
    expect((await app.inject('/health')).statusCode).toBe(200)
  })

  it('BROKEN=true fails from the first call', async () => {
    const { app } = setup({ BROKEN: true })
    const response = await app.inject('/rng')
    expect(response.statusCode).toBe(500)
    expect(response.json().type).toBe('urn:numbers:problem:unhealthy')
  })

  it('RESPONSE_DELAY_MS adds latency to /rng only', async () => {
    const { app } = setup({ RESPONSE_DELAY_MS: 150 })
    const rngStart = performance.now()
    await app.inject('/rng')
    expect(performance.now() - rngStart).toBeGreaterThanOrEqual(140)
    const healthStart = performance.now()
    await app.inject('/health')
    expect(performance.now() - healthStart).toBeLessThan(100)
  })

  it('HEAD /rng answers like GET without a body', async () => {
    const { app } = setup()
    const response = await app.inject({ method: 'HEAD', url: '/rng' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.body).toBe('')
  })
})
