#!/usr/bin/env node
// http-check, the command a HEALTHCHECK or a dependency check runs. Exit 0 when
// every target is healthy, 1 otherwise, usage errors included (Docker reserves 2).
// One line per target on stdout; retries and details on stderr.
//
// Built into one CommonJS file (build.ts): one file to read and compile, and no
// ES module loader, is what keeps a check at the cost of Node's own start-up.
import { type CheckCommand, parseCommandLine, usage } from './args.ts'
import { checkCert } from './cert.ts'
import { nowMs } from './clock.ts'
import { checkFile, readSmallFile } from './file.ts'
import { check, VERSION } from './http.ts'
import {
  describeAttempt,
  displayUrl,
  formatResult,
  jsonResult,
  PREFIX,
  print,
  printable,
} from './output.ts'
import type { CheckResult } from './result.ts'
import { describeExpect } from './status.ts'
import { resolveTargets, type Target } from './targets.ts'
import { checkTcp } from './tcp.ts'
import { untilHealthy, type WaitOutcome } from './wait.ts'

/** How late the last-resort timer may fire after the deadline before it ends the process. */
const WATCHDOG_GRACE_MS = 250

async function main(args: readonly string[]): Promise<number> {
  const command = parseCommandLine(args)
  switch (command.kind) {
    case 'help':
      print(1, `${usage}\n`)
      return 0
    case 'version':
      print(1, `${VERSION}\n`)
      return 0
    case 'usage-error':
      print(2, `${PREFIX} ${printable(command.message)}\n`)
      return 1
    case 'check':
      return run(command)
  }
}

async function run(command: CheckCommand): Promise<number> {
  // The deadline starts now, before the config is read: reading it is part of the check.
  const startedAt = nowMs()
  const budgetMs = command.waitMs ?? command.timeoutMs
  const deadline = startedAt + budgetMs
  const quiet = command.verbosity === 'quiet'
  const verbose = command.verbosity === 'verbose'
  let targets: Target[] = []
  const outcomes: (WaitOutcome | undefined)[] = []
  const finishedAt: number[] = []

  /** Whatever is still pending gets a line saying why it has none; then exit 1. */
  const endNow = (why: string) => {
    if (!quiet) {
      const lines = targets.map((target, index) => {
        const outcome = outcomes[index]
        if (outcome !== undefined) return resultLine(command, outcome)
        const elapsed = Math.round(nowMs() - startedAt)
        const result: CheckResult = {
          ok: false,
          url: describeTarget(target),
          code: 'INTERRUPTED',
          reason: `${why} after ${elapsed}ms`,
          elapsedMs: nowMs() - startedAt,
          timings: {},
        }
        return command.json ? jsonResult(result) : `${PREFIX} fail ${result.url}: ${result.reason}`
      })
      if (lines.length > 0) print(1, `${lines.join('\n')}\n`)
      else print(2, `${PREFIX} ${why} after ${Math.round(nowMs() - startedAt)}ms\n`)
    }
    process.exit(1)
  }
  // The last resort: every check has its own timer; this one ends what has none.
  setTimeout(() => endNow(`no result by the ${budgetMs}ms deadline`), budgetMs + WATCHDOG_GRACE_MS)

  const resolved = resolveTargets(command)
  if (typeof resolved === 'string') {
    print(2, `${PREFIX} ${printable(resolved)}\n`)
    return 1
  }
  targets = resolved
  if (nowMs() >= deadline) {
    print(2, `${PREFIX} the ${budgetMs}ms deadline passed while reading the config\n`)
    return 1
  }
  let ca: string | undefined
  if (command.cacert !== undefined && targets.some((target) => target.kind === 'http')) {
    const read = readSmallFile(command.cacert)
    if (!('text' in read)) {
      print(2, `${PREFIX} --cacert ${read.reason}\n`)
      return 1
    }
    ca = read.text
  }

  // docker stop or Ctrl-C ends a wait at once, still with one line per target and
  // exit 1. A single attempt is over within -t anyway, so it keeps Node's default
  // (end at once) and skips the ~2 ms that installing signal handlers costs.
  if (command.waitMs !== undefined) {
    const onSignal = (signal: NodeJS.Signals) => endNow(`interrupted by ${signal}`)
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  }

  const attemptOn = (target: Target, timeoutMs: number): Promise<CheckResult> => {
    switch (target.kind) {
      case 'http':
        return check(target.url, {
          timeoutMs,
          expect: command.expect,
          headers: command.headers,
          insecure: command.insecure,
          ...(ca === undefined ? {} : { ca }),
        })
      case 'tcp':
        return checkTcp(target.url, { timeoutMs })
      case 'cert':
        return Promise.resolve(checkCert(target.path, command.certMinDays))
      case 'file':
        return Promise.resolve(checkFile(target.path))
    }
  }
  const onAttempt = (result: CheckResult) => {
    if (verbose) print(2, describeAttempt(result))
  }
  const waitMs = command.waitMs
  await Promise.all(
    targets.map(async (target, index) => {
      if (verbose) print(2, announce(target, command))
      if (waitMs === undefined) {
        const result = await attemptOn(target, Math.max(1, Math.ceil(deadline - nowMs())))
        onAttempt(result)
        outcomes[index] = { result, attempts: 1 }
      } else {
        outcomes[index] = await untilHealthy((timeoutMs) => attemptOn(target, timeoutMs), {
          timeoutMs: command.timeoutMs,
          deadline,
          intervalMs: command.intervalMs,
          onAttempt,
          onRetry: (result, attempt, pauseMs) => {
            if (!quiet) {
              print(
                2,
                `${PREFIX} attempt ${attempt} ${formatResult(result)}; next in ${pauseMs}ms\n`,
              )
            }
          },
        })
      }
      finishedAt[index] = nowMs()
    }),
  )
  const finished = outcomes.filter((outcome) => outcome !== undefined)
  if (!quiet) {
    print(1, `${finished.map((outcome) => resultLine(command, outcome)).join('\n')}\n`)
    if (waitMs !== undefined)
      print(2, `${PREFIX} ${waitSummary(targets, finished, finishedAt, startedAt)}\n`)
  }
  return finished.every((outcome) => outcome.result.ok) ? 0 : 1
}

function resultLine(command: CheckCommand, { result, attempts }: WaitOutcome): string {
  if (command.json) return jsonResult(result, command.waitMs === undefined ? undefined : attempts)
  const line = `${PREFIX} ${formatResult(result)}`
  if (command.waitMs === undefined || attempts === 1) return line
  return result.ok
    ? `${line} (attempt ${attempts})`
    : `${line} (gave up after ${attempts} attempts in ${command.waitMs}ms)`
}

/** The wait's last line: which target held it up. */
function waitSummary(
  targets: readonly Target[],
  outcomes: readonly WaitOutcome[],
  finishedAt: readonly number[],
  startedAt: number,
): string {
  const elapsed = Math.round(nowMs() - startedAt)
  const failed = targets.filter((_, index) => outcomes[index]?.result.ok === false)
  if (failed.length > 0) {
    return `not ready after ${elapsed}ms, held up by ${failed.map(describeTarget).join(', ')}`
  }
  let last = 0
  for (let index = 1; index < targets.length; index++) {
    if ((finishedAt[index] ?? 0) > (finishedAt[last] ?? 0)) last = index
  }
  const lastTarget = targets[last]
  const attempts = outcomes[last]?.attempts ?? 1
  const which = lastTarget === undefined ? '' : `, the last was ${describeTarget(lastTarget)}`
  return `ready after ${elapsed}ms${which} (attempt ${attempts})`
}

function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'http':
      return displayUrl(target.url)
    case 'tcp':
      return `tcp://${target.url.host}`
    case 'cert':
      return `cert ${printable(target.path)}`
    case 'file':
      return `file ${printable(target.path)}`
  }
}

function announce(target: Target, command: CheckCommand): string {
  const timeout = `timeout ${command.timeoutMs}ms`
  switch (target.kind) {
    case 'http':
      return `${PREFIX} GET ${displayUrl(target.url)} ${timeout} expect ${describeExpect(command.expect)}\n`
    case 'tcp':
      return `${PREFIX} connect ${describeTarget(target)} ${timeout}\n`
    case 'cert':
      return `${PREFIX} read ${describeTarget(target)} min ${command.certMinDays} days\n`
    case 'file':
      return `${PREFIX} access ${describeTarget(target)}\n`
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (exitCode) => process.exit(exitCode),
    (error: unknown) => {
      // A bug, not a network failure (those are results): still one line, no stack.
      const message = error instanceof Error ? error.message : String(error)
      print(2, `${PREFIX} internal error: ${printable(message)}\n`)
      process.exit(1)
    },
  )
}
