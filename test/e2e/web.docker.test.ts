// numbers-web's images and their dependency check: v1 starts without the API and is useless;
// v2 (curl) and v3 (http-check) refuse to start without it, and start and serve with it.
import { afterEach, beforeAll, expect, test } from 'vitest'
import { DEFAULT_FAIL_AFTER } from '../helpers/config.ts'
import {
  describeWithDocker,
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

const FAST_HEALTH = ['--health-interval=1s', '--health-retries=2', '--health-timeout=3s']

describeWithDocker('numbers-web image', () => {
  const scope = new Scope()
  beforeAll(ensureImages)
  afterEach(() => scope.cleanup())

  /** An API on `network`, reachable there as `alias` (numbers-api by default). */
  async function startApi(network: string, alias = 'numbers-api'): Promise<string> {
    const api = await scope.container(
      imageTag('api', 'production'),
      ['--network', network, '--network-alias', alias, ...FAST_HEALTH],
      'api',
    )
    await waitForHealth(api, 'healthy', 15_000)
    return api
  }

  test('v1: starts without the API and says Up, but has no number to give', async () => {
    const network = await scope.network()
    const web = await scope.container(
      imageTag('web', 'v1'),
      ['--network', network, ...PUBLISH_EPHEMERAL],
      'web-v1',
    )
    const base = await publishedUrl(web)
    await waitForHttp(`${base}/health`)
    const reply = await http(`${base}/api/number`)
    expect(reply.status).toBe(503)
    expect(JSON.parse(reply.body)).toMatchObject({ title: 'RNG service unavailable' })
    expect(await psStatus(web)).toMatch(/^Up /)
  })

  test.each([
    { target: 'v2', says: /curl: \(6\) Could not resolve host: numbers-api/ },
    { target: 'v3', says: /http-check: fail http:\/\/numbers-api\/ready: .*ENOTFOUND/ },
  ] as const)(
    '$target: without the API it exits non-zero within seconds, saying why',
    async ({ target, says }) => {
      const network = await scope.network()
      const startedAt = performance.now()
      const web = await scope.container(
        imageTag('web', target),
        ['--network', network],
        `web-${target}`,
      )

      const state = await waitFor(
        `${web} to exit`,
        async () => {
          const { State } = await inspect(web)
          return State.Status === 'exited' ? State : undefined
        },
        { timeoutMs: 10_000 },
      )
      console.log(
        `web ${target} alone: exited ${state.ExitCode} after ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
      )
      expect(state.ExitCode).not.toBe(0)
      expect(await logs(web)).toMatch(says)
    },
  )

  test.each(['v2', 'v3'] as const)(
    '%s: with the API on its network it starts and serves numbers, and the check spent none of them',
    async (target) => {
      const network = await scope.network()
      await startApi(network)
      const web = await scope.container(
        imageTag('web', target),
        ['--network', network, ...PUBLISH_EPHEMERAL, ...FAST_HEALTH],
        `web-${target}`,
      )
      const base = await publishedUrl(web)
      await waitForHttp(`${base}/health`)
      if (target === 'v3') await waitForHealth(web, 'healthy', 15_000)

      // The check asked /ready, not /rng: all three good numbers are still there.
      for (let call = 1; call <= DEFAULT_FAIL_AFTER; call += 1) {
        const reply = await http(`${base}/api/number`)
        expect(reply.status, `call ${call}`).toBe(200)
        expect(JSON.parse(reply.body)).toEqual({ number: expect.any(Number) })
      }
      expect((await http(`${base}/api/number`)).status).toBe(503)
      expect((await inspect(web)).State.Running).toBe(true)
    },
  )

  test("v3: the dependency check takes the API's URL from the app's config", async () => {
    const network = await scope.network()
    await startApi(network, 'rng-elsewhere')
    const web = await scope.container(
      imageTag('web', 'v3'),
      ['--network', network, '--env', 'RNG_API_URL=http://rng-elsewhere/rng', ...PUBLISH_EPHEMERAL],
      'web-v3-config',
    )
    const base = await publishedUrl(web)
    await waitForHttp(`${base}/health`)
    expect(await logs(web)).toMatch(/http-check: ok 200 http:\/\/rng-elsewhere\/ready/)
    expect((await http(`${base}/api/number`)).status).toBe(200)
  })
})
