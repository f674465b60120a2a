// docker-compose.yml as the workshop runs it: the exercise's health settings, a web whose
// dependency check (a bounded wait) plus `restart: on-failure` make start-up order
// irrelevant, `up --wait` even with a slow API, and the depends_on override as the alternative. Every project has a random name (`-p`) and is
// taken down with `down -v`.
// Ports: only the first test publishes the file's real ports, 8087 and 8088, since it is the
// one that checks them. If a user's stack holds them, it does not touch that stack: under
// CI=true it fails (CI must check the real ports); elsewhere it warns, runs on free ports and
// checks the file's ports with `docker compose config` instead. The other tests always get
// free ports through NUMBERS_API_PORT / NUMBERS_WEB_PORT.
import { afterEach, beforeAll, expect, test } from 'vitest'
import { DEFAULT_FAIL_AFTER } from '../helpers/config.ts'
import {
  type ComposeProject,
  compose,
  composeContainer,
  describeWithDocker,
  docker,
  freePort,
  healthOf,
  http,
  inspect,
  isCI,
  isPortFree,
  logs,
  Scope,
  uniqueName,
  waitFor,
  waitForHealth,
} from './support/docker.ts'
import { ensureImages, imageTag } from './support/images.ts'

const SECOND_NS = 1_000_000_000
const images = () => ({
  NUMBERS_API_IMAGE: imageTag('api', 'production'),
  NUMBERS_WEB_IMAGE: imageTag('web', 'production'),
})
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1)

describeWithDocker('docker compose', () => {
  const scope = new Scope()
  beforeAll(ensureImages)
  afterEach(() => scope.cleanup())

  async function projectOnFreePorts(files: string[]): Promise<ComposeProject & { web: string }> {
    const webPort = await freePort()
    const project = scope.compose({
      name: uniqueName('compose'),
      files,
      env: {
        ...images(),
        NUMBERS_API_PORT: `127.0.0.1:${await freePort()}`,
        NUMBERS_WEB_PORT: `127.0.0.1:${webPort}`,
      },
    })
    return { ...project, web: `http://127.0.0.1:${webPort}` }
  }

  test('up -d from a clean state: both healthy, the page shows numbers then "RNG service unavailable!", and the API turns unhealthy while the web stays healthy', async () => {
    const realPortsFree = (await isPortFree(8087)) && (await isPortFree(8088))
    if (!realPortsFree && isCI) throw new Error('ports 8087/8088 are taken; this test needs them')
    const ports = realPortsFree
      ? { api: 8087, web: 8088 }
      : { api: await freePort(), web: await freePort() }
    const project = scope.compose({
      name: uniqueName('compose'),
      files: ['docker-compose.yml'],
      // Empty port variables: the file's own defaults, 8087 and 8088.
      env: realPortsFree
        ? { ...images(), NUMBERS_API_PORT: '', NUMBERS_WEB_PORT: '' }
        : { ...images(), NUMBERS_API_PORT: `${ports.api}`, NUMBERS_WEB_PORT: `${ports.web}` },
    })
    if (!realPortsFree) {
      console.warn('compose: 8087/8088 are taken (a running stack?): free ports, and config only')
      const { stdout } = await docker(['compose', '-f', 'docker-compose.yml', 'config'], {
        env: { NUMBERS_API_PORT: '', NUMBERS_WEB_PORT: '' },
      })
      expect(stdout).toMatch(/published: "?8087"?$/m)
      expect(stdout).toMatch(/published: "?8088"?$/m)
    }
    const site = `http://127.0.0.1:${ports.web}`

    const upAt = performance.now()
    await compose(project, ['up', '-d', '--no-build'])
    const api = await composeContainer(project, 'numbers-api')
    const web = await composeContainer(project, 'numbers-web')
    // The web may fail its dependency check once while the API boots, and be restarted.
    await Promise.all([
      waitForHealth(api, 'healthy', 40_000),
      waitForHealth(web, 'healthy', 40_000),
    ])
    console.log(`compose: both healthy ${seconds(upAt)} s after \`up -d\``)

    // The exercise's settings, on the containers Compose made.
    const [apiInfo, webInfo] = await Promise.all([inspect(api), inspect(web)])
    expect(apiInfo.Config.Healthcheck).toMatchObject({
      Interval: 5 * SECOND_NS,
      Timeout: 1 * SECOND_NS,
      Retries: 2,
      StartPeriod: 5 * SECOND_NS,
      StartInterval: 1 * SECOND_NS,
    })
    expect(webInfo.Config.Healthcheck).toMatchObject({
      Interval: 5 * SECOND_NS,
      Timeout: 1 * SECOND_NS,
      Retries: 2,
      StartPeriod: 10 * SECOND_NS,
      StartInterval: 1 * SECOND_NS,
    })
    expect(webInfo.HostConfig.RestartPolicy.Name).toBe('on-failure')
    // on-failure restarts a crash, never an unhealthy container (below: it still runs).
    expect(apiInfo.HostConfig.RestartPolicy.Name).toBe('on-failure')
    expect(apiInfo.HostConfig.PortBindings['80/tcp']?.[0]?.HostPort).toBe(`${ports.api}`)
    expect(webInfo.HostConfig.PortBindings['80/tcp']?.[0]?.HostPort).toBe(`${ports.web}`)
    for (const info of [apiInfo, webInfo]) {
      expect(info.HostConfig).toMatchObject({
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true'],
        Init: true,
        Memory: 256 * 1024 * 1024,
      })
      expect(Object.keys(info.HostConfig.Tmpfs ?? {})).toEqual(['/tmp'])
      expect(Object.keys(info.NetworkSettings.Networks)).toEqual([`${project.name}_app-net`])
    }

    // The page, as a browser without JavaScript uses it: the form posts to /.
    const page = await http(`${site}/`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('No number yet.')
    for (let call = 1; call <= DEFAULT_FAIL_AFTER; call += 1) {
      const reply = await http(`${site}/`, { method: 'POST', form: true })
      expect(reply.body, `number ${call}`).toMatch(/Here it is: \d{1,2}</)
    }
    const fourth = await http(`${site}/`, { method: 'POST', form: true })
    expect(fourth.body).toContain('RNG service unavailable!')
    const brokenAt = performance.now()

    // interval 5 s × retries 2, plus the time the checks take and a margin.
    await waitForHealth(api, 'unhealthy', 18_000)
    const apiUnhealthyAt = Date.now()
    console.log(`compose: api unhealthy ${seconds(brokenAt)} s after the 4th number`)

    // The web's next checks still pass: liveness does not follow the API down.
    const webHealth = await waitFor(
      'a passing web check after the API turned unhealthy',
      async () => {
        const health = await healthOf(web)
        const later = health?.Log.filter((entry) => Date.parse(entry.Start) > apiUnhealthyAt)
        return health && later?.length && later.every((entry) => entry.ExitCode === 0)
          ? health
          : undefined
      },
      { timeoutMs: 15_000 },
    )
    expect(webHealth.Status).toBe('healthy')
    // Unhealthy is not a crash: still running, never restarted, restart policy or not.
    const apiAfter = await inspect(api)
    expect(apiAfter.State.Running).toBe(true)
    expect(apiAfter.RestartCount).toBe(0)
    // Not ready, though: it has nothing to serve without the API.
    expect((await http(`${site}/ready`)).status).toBe(503)
  })

  test('start-up order does not matter: a web started before the API exits, is restarted by on-failure, and turns healthy once the API is up', async () => {
    const project = await projectOnFreePorts(['docker-compose.yml'])

    const upAt = performance.now()
    await compose(project, ['up', '-d', '--no-build', 'numbers-web'])
    const web = await composeContainer(project, 'numbers-web')
    // The dependency check waits 15 s for the API, then gives up: exit 1, restarted.
    await waitFor(
      'the web to fail its dependency check and be restarted',
      async () => ((await inspect(web)).RestartCount >= 1 ? true : undefined),
      { timeoutMs: 40_000 },
    )
    expect(await logs(web)).toMatch(/http-check: fail http:\/\/numbers-api\/ready.*gave up/)

    await compose(project, ['up', '-d', '--no-build', 'numbers-api'])
    await waitForHealth(web, 'healthy', 60_000)
    const info = await inspect(web)
    console.log(
      `compose: web first, API later: web healthy after ${info.RestartCount} restarts, ${seconds(upAt)} s`,
    )
    // Restarted in place by Docker, not replaced.
    expect(info.Id.startsWith(web)).toBe(true)
    expect(await logs(web)).toMatch(/http-check: ok 200 http:\/\/numbers-api\/ready/)
    const reply = await http(`${project.web}/api/number`)
    expect(reply.status).toBe(200)
  })

  test('up -d --wait returns 0 with both healthy when the API takes 10 s to be ready: the web waits, no restart', async () => {
    const project = await projectOnFreePorts(['docker-compose.yml', 'docs/workshop/slow-api.yml'])

    const upAt = performance.now()
    const up = await compose(project, ['up', '-d', '--no-build', '--wait', '--wait-timeout', '60'])
    console.log(`compose up --wait with a 10 s API: returned ${up.code} after ${seconds(upAt)} s`)
    expect(up.code).toBe(0)
    const api = await composeContainer(project, 'numbers-api')
    const web = await composeContainer(project, 'numbers-web')
    expect((await healthOf(api))?.Status).toBe('healthy')
    expect((await healthOf(web))?.Status).toBe('healthy')
    expect((await inspect(web)).RestartCount).toBe(0)
    // It did have to wait: the API said 503 (starting) before it said 200.
    const story = await logs(web)
    expect(story).toMatch(
      /http-check: attempt \d+ fail http:\/\/numbers-api\/ready: bad status 503/,
    )
    expect(story).toMatch(/http-check: ok 200 http:\/\/numbers-api\/ready/)
    expect((await http(`${project.web}/api/number`)).status).toBe(200)
  })

  test('the depends_on override starts the web only once the API is healthy, with no restart', async () => {
    const project = await projectOnFreePorts([
      'docker-compose.yml',
      'docker-compose.depends-on.yml',
    ])

    const upAt = performance.now()
    await compose(project, ['up', '-d', '--no-build'])
    const api = await composeContainer(project, 'numbers-api')
    const web = await composeContainer(project, 'numbers-web')
    await waitForHealth(web, 'healthy', 40_000)
    console.log(`compose + depends-on: both healthy ${seconds(upAt)} s after \`up -d\``)

    const firstHealthy = (await healthOf(api))?.Log.find((entry) => entry.ExitCode === 0)
    const webInfo = await inspect(web)
    expect(firstHealthy).toBeDefined()
    expect(Date.parse(webInfo.State.StartedAt)).toBeGreaterThanOrEqual(
      Date.parse(firstHealthy?.End ?? ''),
    )
    expect(webInfo.RestartCount).toBe(0)
    expect(await logs(web)).not.toMatch(/http-check: (attempt \d+ )?fail/)

    // `restart: true`: when Compose restarts the API, it restarts the web after it.
    await compose(project, ['restart', 'numbers-api'])
    await waitFor(
      'the web to be restarted after the API',
      async () =>
        (await inspect(web)).State.StartedAt !== webInfo.State.StartedAt ? true : undefined,
      { timeoutMs: 30_000 },
    )
  })
})
