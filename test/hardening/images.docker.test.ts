// The production images as an attacker who got a shell in one would find them: a user with
// no privileges, a root filesystem nobody can write, no tool to fetch or build anything
// beyond what the base image already has, and nothing of development (no dev dependencies,
// no TypeScript sources, no tests). (More of the same, with tmpfs and health: test/e2e/production.docker.test.ts.)
import { afterEach, beforeAll, expect, test } from 'vitest'
import {
  describeWithDocker,
  docker,
  http,
  PUBLISH_EPHEMERAL,
  publishedUrl,
  Scope,
  waitForHttp,
} from '../e2e/support/docker.ts'
import { ensureImages, imageTag, RUNTIME_BASE } from '../e2e/support/images.ts'

const images = [
  ['numbers-api', imageTag('api', 'production')],
  ['numbers-web', imageTag('web', 'production')],
] as const

/** No tmpfs either: nothing in the images writes anywhere. */
const LOCKED_DOWN = [
  '--read-only',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges:true',
] as const

/** What an intruder would reach for: to fetch, to install, to build, to script. */
const TOOLS = [
  'curl',
  'wget',
  'apt-get',
  'apt',
  'dpkg',
  'gcc',
  'cc',
  'make',
  'python',
  'python3',
  'perl',
  'git',
  'ssh',
  'nc',
  'sudo',
  'su',
  'npm',
  'npx',
  'corepack',
  'pnpm',
  'yarn',
]
/** Never in an image of ours, base or not. */
const FORBIDDEN = [
  'curl',
  'wget',
  'gcc',
  'cc',
  'make',
  'python',
  'python3',
  'git',
  'ssh',
  'nc',
  'sudo',
  'npm',
  'npx',
  'corepack',
  'pnpm',
  'yarn',
]

const DEV_PACKAGES = [
  'vitest',
  'typescript',
  'tsx',
  '@biomejs',
  'pino-pretty',
  'playwright-core',
  'fast-check',
  'autocannon',
  '@types',
]

/** Where our own code sits in an image; everything else in node_modules is third-party. */
const OUR_ROOTS = [
  '/app',
  '/opt/http-check',
  '/app/node_modules/.pnpm/@numbers+*/node_modules/@numbers/*',
  '/app/node_modules/.pnpm/http-check@*/node_modules/http-check',
].join(' ')

/** Runs `script` with the image's own sh (the base's; no other tool is used). */
async function inImage(image: string, script: string): Promise<string> {
  const { stdout } = await docker(['run', '--rm', '--entrypoint', 'sh', image, '-c', script])
  return stdout
}

async function toolsIn(image: string): Promise<string[]> {
  const found = await inImage(
    image,
    `for tool in ${TOOLS.join(' ')}; do command -v "$tool" >/dev/null && echo "$tool"; done; true`,
  )
  return found.split('\n').filter(Boolean)
}

describeWithDocker('production images, hardened', () => {
  const scope = new Scope()
  beforeAll(ensureImages)
  afterEach(() => scope.cleanup())

  test.each(images)('%s runs as uid 1000, not root', async (_name, image) => {
    const { stdout } = await docker(['run', '--rm', '--entrypoint', 'id', image])
    expect(stdout).toMatch(/^uid=1000\(node\) gid=1000\(node\)/)
  })

  test('both serve on a read-only root filesystem with no capabilities, no new privileges and no tmpfs', async () => {
    const network = await scope.network()
    const api = await scope.container(
      imageTag('api', 'production'),
      [
        '--network',
        network,
        '--network-alias',
        'numbers-api',
        ...PUBLISH_EPHEMERAL,
        ...LOCKED_DOWN,
      ],
      'api',
    )
    const apiUrl = await publishedUrl(api)
    await waitForHttp(`${apiUrl}/ready`)
    const web = await scope.container(
      imageTag('web', 'production'),
      ['--network', network, ...PUBLISH_EPHEMERAL, ...LOCKED_DOWN],
      'web',
    )
    const webUrl = await publishedUrl(web)
    await waitForHttp(`${webUrl}/ready`)
    expect((await http(`${webUrl}/api/number`)).status).toBe(200)
    expect((await http(`${webUrl}/`)).status).toBe(200)
    // The HEALTHCHECK (a second node process) runs under the same restrictions.
    const { stdout } = await docker(['exec', web, 'node', '/opt/http-check/dist/cli.js'])
    expect(stdout).toMatch(/^http-check: ok 200 /)
    // And the process really cannot write: not its app, not /tmp.
    const write = await docker(['exec', api, 'sh', '-c', 'touch /app/x || touch /tmp/x'], {
      allowFailure: true,
    })
    expect(write.code).not.toBe(0)
  })

  test('hold no tool the base image does not, and none of curl, wget, compilers, python, git or a package manager', async () => {
    const baseTools = await toolsIn(RUNTIME_BASE)
    for (const [name, image] of images) {
      const tools = await toolsIn(image)
      expect(
        tools.filter((tool) => !baseTools.includes(tool)),
        name,
      ).toEqual([])
      expect(
        tools.filter((tool) => FORBIDDEN.includes(tool)),
        name,
      ).toEqual([])
    }
    console.log(`in the images only because ${RUNTIME_BASE} has them: ${baseTools.join(', ')}`)
  })

  test('apt-get is inert: the node user cannot install anything', async () => {
    for (const [name, image] of images) {
      const result = await docker(
        ['run', '--rm', ...LOCKED_DOWN, '--entrypoint', 'apt-get', image, 'install', '-y', 'curl'],
        { allowFailure: true },
      )
      expect(result.code, name).not.toBe(0)
    }
  })

  test.each(images)(
    '%s holds no dev dependency, TypeScript source or test folder',
    async (name, image) => {
      const packages = await inImage(
        image,
        'ls /app/node_modules /app/node_modules/.pnpm /opt/http-check/node_modules/.pnpm 2>/dev/null; true',
      )
      const entries = packages.split('\n')
      expect(entries).toContain('fastify') // the listing worked
      for (const dev of DEV_PACKAGES) {
        // `tsx` at the top, `tsx@4.23.15` or `@biomejs+biome@2.6.8` in .pnpm
        const named = new RegExp(`^${dev.replace('+', '\\+')}([@+]|$)`)
        expect(
          entries.filter((entry) => named.test(entry)),
          `${name}: ${dev}`,
        ).toEqual([])
      }
      // Ours (the app, http-check and the workspace packages in node_modules): built files only
      // (and the README npm always packs).
      const ours = await inImage(
        image,
        `for root in ${OUR_ROOTS}; do
        [ -d "$root" ] || continue
        find "$root" -name node_modules -prune -o \\( -name '*.ts' ! -name '*.d.ts' \\) -print \\
          -o -type d \\( -name test -o -name tests -o -name __tests__ -o -name src \\) -print
      done; true`,
      )
      expect(ours.split('\n').filter(Boolean), name).toEqual([])
      const workspace = await inImage(
        image,
        `for root in ${OUR_ROOTS}; do case "$root" in /app|/opt/*) ;; *) [ -d "$root" ] && ls "$root";; esac; done; true`,
      )
      for (const entry of workspace.split('\n').filter(Boolean)) {
        expect(
          ['dist', 'package.json', 'node_modules', 'README.md', 'LICENSE'],
          `${name}: ${entry}`,
        ).toContain(entry)
      }
    },
  )
})
