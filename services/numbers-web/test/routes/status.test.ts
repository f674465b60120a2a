import { describe, expect, it } from 'vitest'
import { answered, buildTestApp, fakeProbe, unanswered } from '../helpers.ts'

describe('GET /api/status', () => {
  it.each([
    ['healthy', answered(200), answered(200)],
    ['starting', answered(503), answered(200)],
    ['unhealthy', answered(503), answered(500)],
    ['unreachable', unanswered('ECONNREFUSED'), unanswered('ECONNREFUSED')],
  ])('says { "api": "%s" }', async (api, ready, health) => {
    const { probe } = fakeProbe(ready, health)
    const app = buildTestApp({}, { probe })
    const response = await app.inject('/api/status')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.json()).toEqual({ api })
  })

  it('many pages polling at once cost the API one probe', async () => {
    const { probe, calls } = fakeProbe(answered(200))
    const app = buildTestApp({ API_STATUS_CACHE_MS: 60_000 }, { probe })
    await Promise.all(Array.from({ length: 50 }, () => app.inject('/api/status')))
    await app.inject('/')
    expect(calls).toEqual(['/ready'])
  })
})
