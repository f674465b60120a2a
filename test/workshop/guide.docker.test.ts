// The workshop guide, run as a reader runs it: every `sh test` block of docs/workshop/README.md,
// in order, in bash from the repository root, one test per section. A block must exit 0 and
// its stdout must show what the guide's `<!-- expect: -->` comments say. A section stops at
// its first failing block, then runs its cleanup block anyway; afterAll removes by name
// whatever the guide creates, whatever happened. Images the guide tags stay (shared cache).
// ko.md holds the same commands (guide.test.ts), so running one language covers both.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { describeWithDocker, docker, isPortFree, run } from '../e2e/support/docker.ts'
import { type CommandBlock, createdBy, guidePaths, readGuide, unmetExpectations } from './guide.ts'
import { runBlock, tail } from './shell.ts'

const guide = readGuide(guidePaths.en)
const created = createdBy(guide)
const sections = guide.sections.filter((section) => section.blocks.length > 0)

const GUIDE_PORTS = [8080, 8081, 8082, 8083, 8084, 8085, 8086, 8087, 8088]

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

async function runChecked(block: CommandBlock): Promise<void> {
  const result = await runBlock(block.code, { timeoutMs: block.timeoutMs })
  const unmet = unmetExpectations(block, result.stdout)
  const problem = result.timedOut
    ? `timed out after ${seconds(block.timeoutMs)}`
    : result.code !== 0
      ? `exit ${result.code}`
      : unmet.join('; ')
  if (problem === '') return
  throw new Error(
    [
      `${problem}: README.md line ${block.line}:`,
      block.code,
      `--- stdout\n${tail(result.stdout)}`,
      `--- stderr\n${tail(result.stderr)}`,
      `--- the guide's containers now\n${await containersNow()}`,
    ].join('\n'),
  )
}

/** Status and last health check of every container the guide made, to explain a failure. */
async function containersNow(): Promise<string> {
  const { stdout: ids } = await docker(['ps', '-aq', '--filter', 'name=numbers'], {
    allowFailure: true,
  })
  const list = ids.trim().split('\n').filter(Boolean)
  if (list.length === 0) return '(none)'
  const { stdout } = await docker(
    [
      'inspect',
      '--format',
      '{{.Name}} {{.State.Status}} restarts={{.RestartCount}} {{with .State.Health}}{{.Status}}{{range .Log}} | {{.ExitCode}} {{.Output}}{{end}}{{end}}',
      ...list,
    ],
    { allowFailure: true },
  )
  return stdout.trim()
}

/** Removes what the guide creates, by name; quiet about what is not there. */
async function removeEverything(): Promise<void> {
  for (const project of created.projects) {
    await docker(['compose', '-p', project, 'down', '-v', '--remove-orphans', '--timeout', '2'], {
      allowFailure: true,
    })
  }
  if (created.containers.length > 0) {
    await docker(['rm', '-f', '-v', ...created.containers], { allowFailure: true })
  }
  for (const network of created.networks) {
    await docker(['network', 'rm', network], { allowFailure: true })
  }
}

/** Fails, saying how to fix it, when something the guide would create already exists. */
async function assertNothingLeftOver(): Promise<void> {
  const leftovers: string[] = []
  for (const name of created.containers) {
    const { stdout } = await docker(['ps', '-aq', '--filter', `name=^${name}$`])
    if (stdout.trim()) leftovers.push(`docker rm -f ${name}`)
  }
  for (const project of created.projects) {
    const { stdout } = await docker([
      'ps',
      '-aq',
      '--filter',
      `label=com.docker.compose.project=${project}`,
    ])
    if (stdout.trim()) leftovers.push(`docker compose -p ${project} down -v`)
  }
  for (const network of created.networks) {
    const { stdout } = await docker(['network', 'ls', '-q', '--filter', `name=^${network}$`])
    if (stdout.trim()) leftovers.push(`docker network rm ${network}`)
  }
  if (leftovers.length > 0) {
    throw new Error(
      `the guide's containers, projects or networks already exist (an earlier run, or someone following the guide); remove them first:\n  ${leftovers.join('\n  ')}`,
    )
  }
}

describeWithDocker('workshop guide, run as written (docs/workshop/README.md)', () => {
  const startedAt = performance.now()
  let commandsRun = 0

  beforeAll(async () => {
    const taken: number[] = []
    for (const port of GUIDE_PORTS) if (!(await isPortFree(port))) taken.push(port)
    if (taken.length > 0) {
      throw new Error(
        `port ${taken.join(', ')} taken: the workshop guide publishes 8080-8088; stop what holds them (docker ps, ss -ltnp)`,
      )
    }
    const curl = await run('curl', ['--version'], { allowFailure: true }).catch(() => undefined)
    if (curl?.code !== 0) throw new Error('the guide calls curl on the host: install curl')
    await assertNothingLeftOver()
  })

  afterAll(async () => {
    await removeEverything()
    console.log(
      `workshop guide: ${commandsRun} command blocks in ${sections.length} sections, ${seconds(performance.now() - startedAt)}`,
    )
  })

  for (const section of sections) {
    const timeout = section.blocks.reduce((sum, block) => sum + block.timeoutMs, 60_000)
    test(`${section.title}: every command runs and shows what the guide says`, {
      timeout,
    }, async () => {
      const sectionStartedAt = performance.now()
      let failure: unknown
      for (const block of section.blocks.filter((b) => !b.cleanup)) {
        try {
          await runChecked(block)
          commandsRun += 1
        } catch (error) {
          failure = error
          break
        }
      }
      // The section's own cleanup, as the reader runs it; after a failure, it may find less
      // to remove than it names, and afterAll catches the rest.
      for (const block of section.blocks.filter((b) => b.cleanup)) {
        try {
          await runChecked(block)
          commandsRun += 1
        } catch (error) {
          failure ??= error
        }
      }
      if (failure) throw failure
      console.log(
        `workshop guide: ${section.title}: ${seconds(performance.now() - sectionStartedAt)}`,
      )
      expect(failure).toBeUndefined()
    })
  }
})
