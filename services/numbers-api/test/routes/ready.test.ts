import { createShutdown } from '@numbers/service'
import { describe, expect, it } from 'vitest'
import { buildTestApp } from '../helpers.ts'

describe('GET /ready', () => {
  it('answers 200 once started and healthy', async () => {
    const response = await buildTestApp().inject('/ready')
    expect(response.statusCode).toBe(200)
    expect(response.body).toBe('Ready')
  })

  it('answers 503 problem+json "starting" during STARTUP_DELAY_MS, then 200', async () => {
    const app = buildTestApp({ STARTUP_DELAY_MS: 300 })
    const early = await app.inject('/ready')
    expect(early.statusCode).toBe(503)
    expect(early.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(early.json()).toMatchObject({
      type: 'urn:numbers:problem:starting',
      detail: 'Still starting: not ready until STARTUP_DELAY_MS has passed.',
    })
    await expect
      .poll(async () => (await app.inject('/ready')).statusCode, { timeout: 2000, interval: 50 })
      .toBe(200)
  })

  it('answers 503 once unhealthy', async () => {
    const app = buildTestApp({ FAIL_AFTER: 1 })
    await app.inject('/rng')
    const response = await app.inject('/ready')
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({
      type: 'urn:numbers:problem:unhealthy',
      detail: 'Unhealthy: the FAIL_AFTER=1 good calls are used up; it stays so until it restarts.',
    })
  })

  it('answers 503 "shutting down" once shutdown has begun, while /health and /rng still answer 200', async () => {
    const shutdown = createShutdown()
    const app = buildTestApp({}, { shutdown })
    shutdown.begin()
    const ready = await app.inject('/ready')
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({
      type: 'urn:numbers:problem:shutting-down',
      title: 'Service shutting down',
      detail: 'Shutting down: out of rotation, still serving until it stops accepting.',
    })
    expect((await app.inject('/health')).statusCode).toBe(200)
    expect((await app.inject('/rng')).statusCode).toBe(200)
  })
})
