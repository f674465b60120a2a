// numbers-api's images, lesson by lesson: v1 has no health check, so Docker keeps calling a
// broken API "Up"; v2 (curl) and v3 (http-check) turn it "unhealthy", and Docker only reports it.
import { afterEach, beforeAll, expect, test } from 'vitest'
import { DEFAULT_FAIL_AFTER } from '../helpers/config.ts'
import {
  describeWithDocker,
  healthOf,
  http,
  inspect,
  logs,
  PUBLISH_EPHEMERAL,
  psStatus,
  publishedUrl,
  Scope,
  waitFor,
  waitForHealth,
  waitForHttp,
} from './support/docker.ts'
import { ensureImages, imageTag } from './support/images.ts'

// The mechanism only: a 1 s interval instead of the image's 10 s (compose.docker.test.ts
// keeps the exercise's real settings).
const INTERVAL_S = 1
const RETRIES = 2
const FAST_HEALTH = [
  `--health-interval=${INTERVAL_S}s`,
  `--health-retries=${RETRIES}`,
  '--health-timeout=3s',
]

async function drawThreeNumbersThenFail(base: string): Promise<void> {
  for (let call = 1; call <= DEFAULT_FAIL_AFTER; call += 1) {
    const reply = await http(`${base}/rng`)
    expect(reply.status, `call ${call}`).toBe(200)
    expect(Number(reply.body)).toBeGreaterThanOrEqual(0)
    expect(Number(reply.body)).toBeLessThanOrEqual(99)
  }
  const fourth = await http(`${base}/rng`)
  expect(fourth.status).toBe(500)
  expect(fourth.type).toContain('application/problem+json')
  expect(JSON.parse(fourth.body)).toMatchObject({ status: 500, title: 'Service unhealthy' })
}

describeWithDocker('numbers-api image', () => {
  const scope = new Scope()
  beforeAll(ensureImages)
  afterEach(() => scope.cleanup())

  test('v1: three numbers, the 4th /rng is 500 problem+json, and docker ps still says Up with no health state', async () => {
    const api = await scope.container(imageTag('api', 'v1'), PUBLISH_EPHEMERAL, 'api-v1')
    const base = await publishedUrl(api)
    await waitForHttp(`${base}/health`)

    await drawThreeNumbersThenFail(base)

    const status = await psStatus(api)
    expect(status).toMatch(/^Up /)
    expect(status).not.toMatch(/healthy|health:/)
    expect((await inspect(api)).State.Health ?? undefined).toBeUndefined()
  })

  test.each([
    { target: 'v2', output: /curl: \(22\) The requested URL returned error: 500/ },
    { target: 'v3', output: /^http-check: fail http:\/\/localhost(:80)?\/health: .*500/m },
  ] as const)(
    '$target: after the 4th call it turns unhealthy within interval × retries, shows the check output, and Docker leaves it running',
    async ({ target, output }) => {
      const api = await scope.container(
        imageTag('api', target),
        [...PUBLISH_EPHEMERAL, ...FAST_HEALTH],
        `api-${target}`,
      )
      const base = await publishedUrl(api)
      await waitForHealth(api, 'healthy', 15_000)
      const before = await inspect(api)

      await drawThreeNumbersThenFail(base)
      const brokenAt = performance.now()
      // Up to `retries` failed checks, each one interval after the previous ended, plus the
      // time the checks take to run (a node start for v3) on a busy 2-core machine.
      const deadlineMs = INTERVAL_S * RETRIES * 1000 + 4000
      await waitForHealth(api, 'unhealthy', deadlineMs)
      console.log(
        `api ${target}: unhealthy ${((performance.now() - brokenAt) / 1000).toFixed(1)} s after the 4th call (interval ${INTERVAL_S} s × retries ${RETRIES})`,
      )

      const health = await healthOf(api)
      const last = health?.Log.at(-1)
      expect(last?.ExitCode).not.toBe(0)
      expect(last?.Output).toMatch(output)

      // Two more failed checks later, Docker has still neither restarted nor replaced it.
      await waitFor(
        'two more failed checks',
        async () => ((await healthOf(api))?.FailingStreak ?? 0) >= RETRIES + 2 || undefined,
        { timeoutMs: 10_000 },
      )
      const after = await inspect(api)
      expect(after.Id).toBe(before.Id)
      expect(after.RestartCount).toBe(0)
      expect(after.State.Running).toBe(true)
      expect(after.State.Health?.Status).toBe('unhealthy')
      expect(await psStatus(api)).toMatch(/^Up .*\(unhealthy\)$/)
    },
  )

  test('production: starts and answers with IPv6 disabled in the container', async () => {
    const api = await scope.container(
      imageTag('api', 'production'),
      [...PUBLISH_EPHEMERAL, ...FAST_HEALTH, '--sysctl', 'net.ipv6.conf.all.disable_ipv6=1'],
      'api-no-ipv6',
    )
    const base = await publishedUrl(api)
    await waitForHttp(`${base}/health`)
    expect((await http(`${base}/rng`)).status).toBe(200)
    // Its own HEALTHCHECK reaches it too (localhost without ::1).
    await waitForHealth(api, 'healthy', 15_000)
    expect(await logs(api)).toMatch(/Server listening at http:\/\/(\[::\]|0\.0\.0\.0):80/)
  })
})
