import { describe, expect, it } from 'vitest'
import { DEFAULT_FAIL_AFTER } from '../../../test/helpers/config.ts'
import { buildTestApp } from './helpers.ts'

describe('numbers-api routing', () => {
  it('an unknown route answers 404 problem+json', async () => {
    const response = await buildTestApp().inject('/nope?x=1')
    expect(response.statusCode).toBe(404)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      instance: '/nope?x=1',
      traceId: expect.any(String),
    })
  })

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'] as const)(
    '%s /rng answers 405 with an Allow header',
    async (method) => {
      const response = await buildTestApp().inject({ method, url: '/rng' })
      expect(response.statusCode).toBe(405)
      expect(response.headers.allow).toBe('GET, HEAD')
      expect(response.json()).toMatchObject({ status: 405, title: 'Method Not Allowed' })
    },
  )

  it('a wrong method does not use up a call', async () => {
    const app = buildTestApp()
    await app.inject({ method: 'POST', url: '/rng' })
    for (let call = 1; call <= DEFAULT_FAIL_AFTER; call++)
      expect((await app.inject('/rng')).statusCode).toBe(200)
  })

  it.each(['/health', '/ready'])('HEAD %s works like GET', async (url) => {
    const response = await buildTestApp().inject({ method: 'HEAD', url })
    expect(response.statusCode).toBe(200)
    expect(response.body).toBe('')
  })

  it('request ids are unique UUIDs', async () => {
    const app = buildTestApp()
    const first = (await app.inject('/nope')).json().traceId
    const second = (await app.inject('/nope')).json().traceId
    expect(first).toMatch(/^[0-9a-f-]{36}$/)
    expect(first).not.toBe(second)
  })
})
