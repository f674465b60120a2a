import { describe, expect, it } from 'vitest'
import { DEFAULT_FAIL_AFTER } from '../../../../test/helpers/config.ts'
import { buildTestApp } from '../helpers.ts'

describe('GET /health', () => {
  it('answers 200 text/plain Ok while healthy', async () => {
    const response = await buildTestApp().inject('/health')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/plain/)
    expect(response.body).toBe('Ok')
  })

  it(`stays 200 during the ${DEFAULT_FAIL_AFTER} good calls and flips to 500 with the next /rng`, async () => {
    const app = buildTestApp()
    for (let call = 1; call < DEFAULT_FAIL_AFTER; call++) {
      await app.inject('/rng')
      expect((await app.inject('/health')).statusCode).toBe(200)
    }
    await app.inject('/rng')
    const afterLastGood = await app.inject('/health')
    const next = await app.inject('/rng')
    expect(next.statusCode).toBe(500)
    expect(afterLastGood.statusCode).toBe(next.statusCode)
  })

  it('answers 500 problem+json once unhealthy, and keeps doing so', async () => {
    const app = buildTestApp({ FAIL_AFTER: 1 })
    await app.inject('/rng')
    for (let probe = 0; probe < 3; probe++) {
      const response = await app.inject('/health')
      expect(response.statusCode).toBe(500)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 500, instance: '/health' })
    }
  })

  it('does not count as a call: health probes never use up numbers', async () => {
    const app = buildTestApp()
    for (let probe = 0; probe < 20; probe++) await app.inject('/health')
    for (let call = 1; call <= DEFAULT_FAIL_AFTER; call++)
      expect((await app.inject('/rng')).statusCode).toBe(200)
  })

  it('answers 500 from the start when BROKEN=true', async () => {
    expect((await buildTestApp({ BROKEN: true }).inject('/health')).statusCode).toBe(500)
  })

  it('says in the detail that the calls are used up, and how many there were', async () => {
    const app = buildTestApp({ FAIL_AFTER: 2 })
    for (let call = 0; call < 2; call++) await app.inject('/rng')
    expect((await app.inject('/health')).json().detail).toBe(
      'Unhealthy: the FAIL_AFTER=2 good calls are used up; it stays so until it restarts.',
    )
  })

  it('says in the detail that BROKEN is set', async () => {
    expect((await buildTestApp({ BROKEN: true }).inject('/health')).json().detail).toBe(
      'Unhealthy: BROKEN is set (a bad release); it stays so until it restarts.',
    )
  })

  it('stays 200 while starting: liveness is not readiness', async () => {
    expect((await buildTestApp({ STARTUP_DELAY_MS: 60_000 }).inject('/health')).statusCode).toBe(
      200,
    )
  })
})
