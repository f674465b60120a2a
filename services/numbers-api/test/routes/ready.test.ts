import { describe, expect, it } from 'vitest'
import { buildTestApp } from '../helper.ts'

describe('GET /ready', () => {
  const setup = (...args: Parameters<typeof buildTestApp>) => buildTestApp(...args).app

  it('answers 200 once started and healthy', async () => {
    const response = await setup().inject('/ready')
    expect(response.statusCode).toBe(200)
    expect(response.body).toBe('Ready')
  })

  it('answers 503 problem+json "starting" during STARTUP_DELAY_MS, then 200', async () => {
    const app = setup({ STARTUP_DELAY_MS: 300 })
    const early = await app.inject('/ready')
    expect(early.statusCode).toBe(503)
    expect(early.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(early.json().type).toBe('urn:numbers:problem:starting')
    await expect
      .poll(async () => (await app.inject('/ready')).statusCode, { timeout: 2000, interval: 50 })
      .toBe(200)
  })

  it('answers 503 once unhealthy', async () => {
    const app = setup({ FAIL_AFTER: 1 })
    await app.inject('/rng')
    const response = await app.inject('/ready')
    expect(response.statusCode).toBe(503)
    expect(response.json().type).toBe('urn:numbers:problem:unhealthy')
  })
})
