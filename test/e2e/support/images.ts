// Builds every target of Dockerfile.api and Dockerfile.web once per test run, shared by all
// the e2e files. Each file runs in its own worker, so "once" is kept in a stamp file next to a
// lock directory: the first file to ask builds (with BuildKit, so an unchanged tree is all
// cache hits), the others find the stamp of the same run and reuse the images.

import { readFileSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { docker, waitFor } from './docker.ts'

export const TARGETS = ['v1', 'v2', 'v3', 'production'] as const
export type Target = (typeof TARGETS)[number]
export type App = 'api' | 'web'

/** The tag the suite gives a target: `numbers-e2e-api:v2`. Never the user's own tags. */
export const imageTag = (app: App, target: Target): string => `numbers-e2e-${app}:${target}`

/** The Node image a Node app would start from: the yardstick for the images' size. */
export const NODE_IMAGE = 'node:24-bookworm-slim'
/** What every target runs on (the Dockerfiles' `runtime` stage adds only the node binary). */
export const RUNTIME_BASE = 'debian:bookworm-slim'

const lockDir = join(tmpdir(), 'numbers-e2e-images.lock')
const stampFile = join(tmpdir(), 'numbers-e2e-images.json')

type Stamp = { readonly run: string; readonly images: Readonly<Record<string, string>> }

/**
 * This vitest run: the pid and start time of its main process (test files run in forked
 * workers, whose parent it is; in a worker thread it is this very process).
 */
function currentRun(): string {
  const pid = isMainThread ? process.ppid : process.pid
  let startedAt = ''
  try {
    startedAt = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? ''
  } catch {
    // Not Linux: the pid alone.
  }
  return `${pid}:${startedAt}`
}

async function imageIds(tags: readonly string[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  for (const tag of tags) {
    const { code, stdout } = await docker(['image', 'inspect', '--format', '{{.Id}}', tag], {
      allowFailure: true,
    })
    if (code === 0) ids[tag] = stdout.trim()
  }
  return ids
}

async function readStamp(): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await readFile(stampFile, 'utf8')) as Stamp
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** mkdir is atomic: whoever creates the directory holds the lock. A dead holder's lock is taken over. */
async function withLock<T>(body: () => Promise<T>): Promise<T> {
  await waitFor(
    'the e2e image build lock',
    async () => {
      try {
        await mkdir(lockDir)
        await writeFile(join(lockDir, 'pid'), String(process.pid))
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        const holder = Number(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => 'NaN'))
        if (Number.isInteger(holder) && !isAlive(holder)) await rm(lockDir, { recursive: true })
        return undefined
      }
    },
    { timeoutMs: 600_000, intervalMs: 500 },
  )
  try {
    return await body()
  } finally {
    await rm(lockDir, { recursive: true, force: true })
  }
}

/** One Dockerfile's targets, in an order that reuses layers: v1, v3, production, v2 (curl). */
async function buildApp(app: App): Promise<void> {
  for (const target of ['v1', 'v3', 'production', 'v2'] as const) {
    await docker(
      [
        'build',
        '--file',
        `Dockerfile.${app}`,
        '--target',
        target,
        '--tag',
        imageTag(app, target),
        '--label',
        'numbers-e2e=1',
        '.',
      ],
      { timeoutMs: 600_000 },
    )
  }
}

/** Builds (or finds, for this run) all eight images. Call it from each file's beforeAll. */
export async function ensureImages(): Promise<void> {
  const tags = (['api', 'web'] as const).flatMap((app) => TARGETS.map((t) => imageTag(app, t)))
  const run = currentRun()
  await withLock(async () => {
    const stamp = await readStamp()
    if (stamp?.run === run) {
      const ids = await imageIds(tags)
      if (tags.every((tag) => ids[tag] !== undefined && ids[tag] === stamp.images[tag])) return
    }
    const startedAt = performance.now()
    // The two files share their build stage: BuildKit runs it once for both chains.
    await Promise.all([buildApp('api'), buildApp('web')])
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1)
    console.log(`e2e: built ${tags.length} images in ${seconds} s (BuildKit cache)`)
    await writeFile(stampFile, JSON.stringify({ run, images: await imageIds(tags) }))
  })
}

/** Size in bytes, as `docker image ls` counts it. */
export async function imageSize(image: string): Promise<number> {
  const { stdout } = await docker(['image', 'inspect', '--format', '{{.Size}}', image])
  return Number(stdout.trim())
}
