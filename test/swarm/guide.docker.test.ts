// The Swarm guide (deploy/swarm/README.md), run as a reader pastes it into bash, with the
// workshop doc-test's conventions and modules: `sh test` blocks run in order from the repo
// root, `<!-- expect: ... -->` checks their stdout, `sh test cleanup` blocks run even after
// a failure. The sections build on each other (one stack throughout), so after a failure the
// rest of the guide is skipped, its cleanup apart.
// Two departures from a reader's run, both to leave the machine's own things alone: the
// web's port is a free one when 8088 is taken (NUMBERS_WEB_PORT, and the guide's URLs
// rewritten; not under CI, which must run the guide as written), and swarm mode is turned
// off after the guide only if it was off before.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { describeWithDocker, docker, freePort, isCI, isPortFree } from '../e2e/support/docker.ts'
import { readGuide, unmetExpectations } from '../workshop/guide.ts'
import { runBlock, tail } from '../workshop/shell.ts'
import { swarmGuidePaths } from './support/guide.ts'
import { joinSwarm, leaveSwarm, removeStack, type SwarmMembership } from './support/swarm.ts'

const guide = readGuide(swarmGuidePaths.en)
const GUIDE_PORT = 8088

/** The stacks the guide deploys, by name: removed whatever happens. */
const stacks = [
  ...new Set(
    guide.sections.flatMap((section) =>
      section.blocks.flatMap((block) =>
        [...block.code.matchAll(/docker stack deploy .* ([\w.-]+)$/gm)].map((m) => m[1] ?? ''),
      ),
    ),
  ),
]

describeWithDocker('deploy/swarm/README.md, run block by block', () => {
  let membership: SwarmMembership | undefined
  let port = GUIDE_PORT
  let failed = false

  beforeAll(async () => {
    for (const stack of stacks) {
      const { stdout } = await docker(['stack', 'ls', '--format', '{{.Name}}'], {
        allowFailure: true,
      })
      if (stdout.split('\n').includes(stack)) {
        throw new Error(`a stack named ${stack} is deployed already: remove it to run the guide`)
      }
    }
    membership = await joinSwarm()
    // The guide's own port if it is free; if not, CI fails (it must run the guide as written)
    // and elsewhere a free one leaves whoever holds it alone.
    if (!(await isPortFree(GUIDE_PORT))) {
      if (isCI) throw new Error(`port ${GUIDE_PORT} is taken; the guide needs it`)
      port = await freePort()
    }
  })

  afterAll(async () => {
    try {
      if (membership) for (const stack of stacks) await removeStack(stack)
    } finally {
      await leaveSwarm(membership)
    }
  })

  for (const section of guide.sections.filter((s) => s.blocks.length > 0)) {
    const hasCleanup = section.blocks.some((block) => block.cleanup)
    test(section.title, async (context) => {
      if (failed && !hasCleanup) context.skip()
      const problems: string[] = []
      for (const block of section.blocks) {
        if ((failed || problems.length > 0) && !block.cleanup) continue
        const code = block.code.replaceAll(`localhost:${GUIDE_PORT}`, `localhost:${port}`)
        const run = await runBlock(code, {
          timeoutMs: block.timeoutMs,
          env: { NUMBERS_WEB_PORT: String(port) },
        })
        const unmet =
          run.code === 0
            ? unmetExpectations(block, run.stdout)
            : [run.timedOut ? `timed out after ${block.timeoutMs} ms` : `exit code ${run.code}`]
        if (unmet.length > 0) {
          problems.push(
            `line ${block.line}: ${unmet.join('; ')}\n--- stdout\n${tail(run.stdout)}\n--- stderr\n${tail(run.stderr)}`,
          )
        }
      }
      if (problems.length > 0) failed = true
      expect(problems).toEqual([])
    })
  }
})
