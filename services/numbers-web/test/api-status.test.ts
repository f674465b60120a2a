import { describe, expect, it } from 'vitest'
import { type ApiHealth, createApiStatus, healthAfter, type Probe } from '../src/api-status.ts'
import { answered, fakeProbe, unanswered } from './helpers.ts'

const readyUrl = new URL('http://api/ready')
const healthUrl = new URL('http://api/health')

function statusWith(probe: Probe, now = () => 0, cacheMs = 2000) {
  return createApiStatus({ readyUrl, healthUrl, timeoutMs: 100, cacheMs, probe, now })
}

describe('api status', () => {
  it.each<[string, ReturnType<typeof answered>, ReturnType<typeof answered>, ApiHealth]>([
    ['/ready 200', answered(200), answered(200), 'healthy'],
    ['/ready 503, /health 200', answered(503), answered(200), 'starting'],
    ['/ready 503, /health 500', answered(503), answered(500), 'unhealthy'],
    ['/ready 404, /health 404', answered(404), answered(404), 'unhealthy'],
    ['/ready refused', unanswered('ECONNREFUSED'), answered(200), 'unreachable'],
    ['/ready 503, /health timed out', answered(503), unanswered('TIMEOUT'), 'unreachable'],
  ])('%s reads as %s', async (_name, ready, health, expected) => {
    const { probe } = fakeProbe(ready, health)
    expect(await statusWith(probe).current()).toBe(expected)
  })

  it('a healthy API is probed on /ready only', async () => {
    const { probe, calls } = fakeProbe(answered(200))
    await statusWith(probe).current()
    expect(calls).toEqual(['/ready'])
  })

  it('one answer serves every asker until it is cacheMs old', async () => {
    let clock = 0
    const { probe, calls } = fakeProbe(answered(200))
    const status = statusWith(probe, () => clock, 2000)
    await status.current()
    clock = 1999
    await status.current()
    expect(calls).toHaveLength(1)
    clock = 2000
    await status.current()
    expect(calls).toHaveLength(2)
  })

  it('a hundred concurrent askers share one probe', async () => {
    const { probe, calls } = fakeProbe(answered(200))
    const status = statusWith(probe, () => 0, 0)
    const answers = await Promise.all(Array.from({ length: 100 }, () => status.current()))
    expect(new Set(answers)).toEqual(new Set(['healthy']))
    expect(calls).toEqual(['/ready'])
  })

  it('a probe that throws reads as unreachable and is not cached as a failure', async () => {
    let throws = true
    const status = statusWith(
      async () => {
        if (throws) throw new Error('bug')
        return answered(200)
      },
      () => 0,
      0,
    )
    expect(await status.current()).toBe('unreachable')
    throws = false
    expect(await status.current()).toBe('healthy')
  })
})

describe('the badge after a call to /rng', () => {
  const failed = (code: 'NUMBERS_ERR_RNG_TIMEOUT' | 'NUMBERS_ERR_RNG_STATUS') => ({
    ok: false as const,
    cause: { code, detail: 'x' },
  })

  it.each<[string, Parameters<typeof healthAfter>[0], ApiHealth, ApiHealth]>([
    ['a number keeps "healthy"', { ok: true, number: 7 }, 'healthy', 'healthy'],
    [
      'a timeout contradicts "healthy"',
      failed('NUMBERS_ERR_RNG_TIMEOUT'),
      'healthy',
      'unreachable',
    ],
    ['a 500 contradicts "healthy"', failed('NUMBERS_ERR_RNG_STATUS'), 'healthy', 'unhealthy'],
    ['a 500 leaves "starting" as it is', failed('NUMBERS_ERR_RNG_STATUS'), 'starting', 'starting'],
  ])('%s', (_name, outcome, cached, shown) => {
    expect(healthAfter(outcome, cached)).toBe(shown)
  })
})
