// What can be read off the Dockerfiles without an engine (runs with the unit tests):
// the shared build stage has not drifted apart, it copies every workspace manifest before
// the install, and the lesson targets are all there.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const read = (name: string) => readFileSync(join(root, name), 'utf8')
const files = ['Dockerfile.api', 'Dockerfile.web'] as const

function sharedStage(text: string): string {
  const start = text.indexOf('# --- build:')
  const end = text.indexOf('# --- end of the shared stage')
  expect(start, 'start marker').toBeGreaterThanOrEqual(0)
  expect(end, 'end marker').toBeGreaterThan(start)
  return text.slice(start, end)
}

describe('Dockerfiles', () => {
  test('share the build stage word for word, so BuildKit builds it once for both images', () => {
    expect(sharedStage(read('Dockerfile.api'))).toBe(sharedStage(read('Dockerfile.web')))
  })

  test.each(files)('%s has the targets v1, v2, v3 and, last (the default), production', (name) => {
    const stages = [...read(name).matchAll(/^FROM \S+ AS (\S+)$/gm)].map((match) => match[1])
    expect(stages).toEqual(['build', 'runtime', 'v1', 'v2', 'v3', 'production'])
  })

  test('copy every workspace package.json before the install and the source after it', () => {
    const text = read('Dockerfile.api')
    const install = text.indexOf('pnpm install --frozen-lockfile')
    const source = text.search(/^COPY \. \.$/m)
    expect(install).toBeGreaterThan(0)
    expect(source).toBeGreaterThan(install)
    const workspace = ['packages', 'services'].flatMap((folder) =>
      readdirSync(join(root, folder))
        .filter((name) => existsSync(join(root, folder, name, 'package.json')))
        .map((name) => `${folder}/${name}`),
    )
    expect(workspace.length).toBeGreaterThan(0)
    const beforeInstall = text.slice(0, install)
    expect(beforeInstall).toContain('COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./\n')
    for (const dir of workspace) {
      expect(beforeInstall, dir).toContain(`COPY ${dir}/package.json ${dir}/\n`)
    }
  })

  test.each(files)('%s runs every target on the runtime stage, with no package manager', (name) => {
    const text = read(name)
    expect(text).toMatch(/^FROM debian:bookworm-slim AS runtime$/m)
    expect(text).toMatch(/^FROM runtime AS v1$/m)
    expect(text).toContain(
      'COPY --from=node:24-bookworm-slim /usr/local/bin/node /usr/local/bin/node\n',
    )
  })

  test.each(files)('%s installs the pnpm version pinned in package.json', (name) => {
    const pinned = JSON.parse(read('package.json')).devEngines.packageManager.version
    expect(read(name)).toContain(`npm install -g pnpm@${pinned}\n`)
  })

  test.each(files)('%s has no `# syntax=` line (it would pull a frontend image)', (name) => {
    expect(read(name)).not.toMatch(/^#\s*syntax=/m)
  })
})
