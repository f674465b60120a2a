import { describe, expect, it } from 'vitest'
import type { ApiHealth } from '../../src/api-status.ts'
import { answered, buildTestApp, fakeProbe, unanswered } from '../helpers.ts'

describe('GET /health', () => {
  it('answers 200 Ok while the API is down, without asking it', async () => {
    const { probe, calls } = fakeProbe(unanswered())
    const app = buildTestApp({ RNG_API_URL: 'http://127.0.0.1:9/rng' }, { probe })
    const response = await app.inject('/health')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(response.body).toBe('Ok')
    expect(calls).toEqual([])
  })
})

describe('GET /ready', () => {
  it('answers 200 Ready while the API is healthy', async () => {
    const { probe } = fakeProbe(answered(200))
    const app = buildTestApp({}, { probe })
    const response = await app.inject('/ready')
    expect(response.statusCode).toBe(200)
    expect(response.body).toBe('Ready')
  })

  it.each<[ApiHealth, ReturnType<typeof answered>, ReturnType<typeof answered>]>([
    ['starting', answered(503), answered(200)],
    ['unhealthy', answered(503), answered(500)],
    ['unreachable', unanswered(), unanswered()],
  ])('answers 503 problem+json while the API is %s', async (api, ready, health) => {
    const { probe } = fakeProbe(ready, health)
    const app = buildTestApp({}, { probe })
    const response = await app.inject('/ready')
    expect(response.statusCode).toBe(503)
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(response.json()).toMatchObject({
      type: 'urn:numbers:problem:dependency-not-ready',
      status: 503,
      detail: `The numbers API is ${api}.`,
      instance: '/ready',
    })
  })
})
