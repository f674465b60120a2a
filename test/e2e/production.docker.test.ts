// The default targets, as shipped: non-root, nothing but node and the app, fine on a
// read-only root filesystem with no capabilities, quick to stop, small.
import { afterEach, beforeAll, expect, test } from 'vitest'
import { HARDENED_RUN_FLAGS } from '../../tools/docker.ts'
import {
  describeWithDocker,
  docker,
  http,
  inspect,
  PUBLISH_EPHEMERAL,
  publishedUrl,
  Scope,
  waitForHealth,
  waitForHttp,
} from './support/docker.ts'
import {
  ensureImages,
  imageSize,
  imageTag,
  NODE_IMAGE,
  RUNTIME_BASE,
  TARGETS,
} from './support/images.ts'

const FAST_HEALTH = ['--health-interval=1s', '--health-retries=2', '--health-timeout=3s']
const apiImage = imageTag('api', 'production')
const webImage = imageTag('web', 'production')

describeWithDocker('production images', () => {
  const scope = new Scope()
  beforeAll(ensureImages)
  afterEach(() => scope.cleanup())

  /** The API as `numbers-api` and the web with a published port, both healthy. */
  async function startPair(options: readonly string[] = []) {
    const network = await scope.network()
    const api = await scope.container(
      apiImage,
      ['--network', network, '--network-alias', 'numbers-api', ...FAST_HEALTH, ...options],
      'api',
    )
    await waitForHealth(api, 'healthy', 15_000)
    const web = await scope.container(
      webImage,
      ['--network', network, ...PUBLISH_EPHEMERAL, ...FAST_HEALTH, ...options],
      'web',
    )
    await waitForHealth(web, 'healthy', 15_000)
    return { api, web, base: await publishedUrl(web) }
  }

  test('run as the non-root node user', async () => {
    const { api, web } = await startPair()
    for (const container of [api, web]) {
      expect((await inspect(container)).Config.User).toBe('node')
      const { stdout } = await docker(['exec', container, 'id', '-u'])
      expect(stdout.trim()).toBe('1000')
    }
  })

  test('hold no curl or wget, and nothing of the build stage (pnpm, sources, store)', async () => {
    const probe = [
      'for tool in curl wget pnpm; do if command -v "$tool"; then exit 1; fi; done',
      'for path in /repo /out /pnpm /app/src /opt/http-check/src; do if [ -e "$path" ]; then echo "$path"; exit 1; fi; done',
    ].join('; ')
    for (const image of [apiImage, webImage]) {
      const result = await docker(['run', '--rm', '--entrypoint', '/bin/sh', image, '-c', probe], {
        allowFailure: true,
      })
      expect(`${result.code} ${result.stdout.trim()}`, image).toBe('0 ')
    }
  })

  test('work on a read-only root filesystem with no capabilities and no new privileges', async () => {
    const { api, web, base } = await startPair(HARDENED_RUN_FLAGS)
    for (const container of [api, web]) {
      expect((await inspect(container)).HostConfig.ReadonlyRootfs).toBe(true)
    }
    const reply = await http(`${base}/api/number`)
    expect(reply.status).toBe(200)
  })

  test('stop in under a second on docker stop: SIGTERM reaches node, which exits 0', async () => {
    const { api, web, base } = await startPair()
    await waitForHttp(`${base}/health`)
    for (const container of [web, api]) {
      const startedAt = performance.now()
      await docker(['stop', container])
      const stopMs = performance.now() - startedAt
      console.log(`docker stop ${container}: ${Math.round(stopMs)} ms`)
      expect(stopMs).toBeLessThan(1000)
      expect((await inspect(container)).State.ExitCode).toBe(0)
    }
  })

  test('are smaller than node:24-bookworm-slim itself (sizes reported)', async () => {
    const base = await imageSize(NODE_IMAGE)
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`
    const lines = [`${NODE_IMAGE}: ${mb(base)}`]
    for (const app of ['api', 'web'] as const) {
      for (const target of TARGETS) {
        const size = await imageSize(imageTag(app, target))
        lines.push(`numbers-${app} ${target}: ${mb(size)} (${mb(size - base)} against it)`)
        // The app and http-check weigh less than npm, corepack and their node_modules.
        if (target === 'production') expect(size).toBeLessThan(base)
      }
    }
    console.log(`image sizes:\n  ${lines.join('\n  ')}`)
  })

  test('check every second while starting (HEALTHCHECK --start-interval), every 10 s after', async () => {
    for (const image of [apiImage, webImage]) {
      const { stdout } = await docker([
        'image',
        'inspect',
        '--format',
        '{{json .Config.Healthcheck}}',
        image,
      ])
      expect(JSON.parse(stdout), image).toMatchObject({
        Interval: 10e9,
        StartPeriod: 5e9,
        StartInterval: 1e9,
      })
    }
  })

  test('carry OCI labels', async () => {
    for (const [image, title] of [
      [apiImage, 'numbers-api'],
      [webImage, 'numbers-web'],
    ] as const) {
      const { stdout } = await docker([
        'image',
        'inspect',
        '--format',
        '{{json .Config.Labels}}',
        image,
      ])
      expect(JSON.parse(stdout)).toMatchObject({
        'org.opencontainers.image.title': title,
        'org.opencontainers.image.licenses': 'MIT',
        'org.opencontainers.image.base.name': RUNTIME_BASE,
      })
    }
  })
})
