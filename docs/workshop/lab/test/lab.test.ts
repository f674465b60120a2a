// The lab's checks, run the way the guide runs them: node executes the .ts files directly.
// The solution by default; `LAB=starter pnpm exec vitest run docs/workshop/lab` runs the same
// tests against a learner's own files in starter/.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type ServiceProcess, startService, statusOf } from '../../../../tools/processes.ts'

const lab = join(import.meta.dirname, '..')
const variant = process.env.LAB ?? 'solution'
const solution = (file: string) => join(lab, variant, file)

function runScript(file: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [file], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 5000,
  })
}

describe(`lab ${variant}`, () => {
  let server: ServiceProcess | undefined
  afterEach(async () => {
    await server?.stop()
    server = undefined
  })

  it('health turns 500 once the service holds more memory than MAX_RSS_MB', async () => {
    server = await startService(join(lab, 'server.ts'), { env: { MAX_RSS_MB: '150' } })
    const port = String(server.port)
    expect(await statusOf(`${server.url}/health`)).toBe(200)
    expect(runScript(solution('health-check.ts'), { PORT: port }).status).toBe(0)

    expect(await statusOf(`${server.url}/allocate?mb=160`)).toBe(200)
    expect(await statusOf(`${server.url}/health`)).toBe(500)
    const check = runScript(solution('health-check.ts'), { PORT: port })
    expect(check.status).toBe(1)
    expect(check.stdout).toMatch(/^health-check: 500 Unhealthy: rss \d+ MiB, limit 150 MiB/)
  })

  it('the health check fails, in one line, when nothing listens', () => {
    const check = runScript(solution('health-check.ts'), { PORT: '1' })
    expect(check.status).toBe(1)
    expect(check.stdout.trim().split('\n')).toHaveLength(1)
  })

  it('the dependency check passes when the machine has enough memory', () => {
    const check = runScript(solution('dependency-check.ts'), { MIN_MEMORY_MB: '16' })
    expect(check.status).toBe(0)
    expect(check.stdout).toMatch(/^dependency-check: ok: \d+ MiB available, need 16 MiB/)
  })

  it('the dependency check refuses to start when the machine has too little memory', () => {
    const check = runScript(solution('dependency-check.ts'), { MIN_MEMORY_MB: '100000000' })
    expect(check.status).toBe(1)
    expect(check.stderr).toMatch(/^dependency-check: fail: \d+ MiB available, need 100000000 MiB/)
  })

  it('the dependency check rejects a MIN_MEMORY_MB that is not a number', () => {
    const check = runScript(solution('dependency-check.ts'), { MIN_MEMORY_MB: 'lots' })
    expect(check.status).toBe(1)
    expect(check.stderr).toContain('MIN_MEMORY_MB must be a whole number, got "lots"')
  })

  it.skipIf(variant === 'starter')(
    'the starter is not a solution yet: its checks always pass',
    () => {
      expect(
        runScript(join(lab, 'starter', 'dependency-check.ts'), { MIN_MEMORY_MB: '100000000' })
          .status,
      ).toBe(0)
    },
  )
})
