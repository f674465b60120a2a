// Crashes under Compose: while clients ask the web for numbers for 60 s, the API's process is
// SIGKILLed every 10 s. `restart: on-failure` starts it again each time; the web never
// crashes, answers every request within RNG_API_TIMEOUT_MS plus a margin (a number or
// "RNG service unavailable"), and serves numbers again within 2 s of the API being healthy.
// Not `docker kill`: Docker counts it as a manual stop and no restart policy restarts that
// (checked on Engine 26.1 with on-failure, unless-stopped and always). The crash is the
// process dying under Docker's feet, as a segfault or the kernel's OOM killer does: a
// SIGKILL sent from inside the container, by the same uid, to the app under the init.
import { afterEach, beforeAll, expect, test } from 'vitest'
import { keys } from '../../packages/config/src/index.ts'
import {
  compose,
  composeContainer,
  describeWithDocker,
  docker,
  freePort,
  inspect,
  logs,
  Scope,
  uniqueName,
  waitFor,
} from './support/docker.ts'
import { ensureImages, imageTag } from './support/images.ts'

const LOAD_MS = 60_000
const KILL_EVERY_MS = 10_000
const CLIENTS = 4
/** Bounds the loop by count as well as by time (a client makes about 30 a second). */
const MAX_REQUESTS_PER_CLIENT = 4000
const PAUSE_MS = 20
const RNG_API_TIMEOUT_MS = keys.RNG_API_TIMEOUT_MS.schema.default
/** Scheduling on a shared 2-core machine, plus the loopback round trip through Docker's proxy. */
const MARGIN_MS = 1000
/**
 * Numbers again within 2 s of Docker's check saying healthy, after every kill. The 5th kill's
 * restart waits out Docker's longest back-off (1.6 s): the web's DNS answer expired while the
 * API was down, and a lookup made then took seconds, failing every call for up to 2.5 s after
 * healthy until the web used its last answer meanwhile (api-dns.ts). A late return prints the
 * web's logged failures around it.
 */
const BACK_WITHIN_MS = 2000

type Answer = {
  readonly startedAt: number
  readonly endedAt: number
  readonly kind: 'number' | 'unavailable' | 'other'
  readonly detail?: string
}

/** Shell that sets $app to the app under the container's init (`init: true`): PID 1's only child. */
const findApp = 'read -r app rest < /proc/1/task/1/children'

async function rssMiB(container: string): Promise<number> {
  const { stdout } = await docker([
    'exec',
    container,
    'sh',
    '-c',
    `${findApp}; grep VmRSS /proc/$app/status`,
  ])
  return Number(/VmRSS:\s+(\d+) kB/.exec(stdout)?.[1]) / 1024
}

async function ask(web: string): Promise<Answer> {
  const startedAt = Date.now()
  try {
    const response = await fetch(`${web}/api/number`, {
      signal: AbortSignal.timeout(RNG_API_TIMEOUT_MS + 4000),
    })
    const body = await response.text()
    const endedAt = Date.now()
    if (response.status === 200 && /^\{"number":\d{1,2}\}$/.test(body)) {
      return { startedAt, endedAt, kind: 'number' }
    }
    if (response.status === 503 && body.includes('urn:numbers:problem:rng-unavailable')) {
      return { startedAt, endedAt, kind: 'unavailable' }
    }
    return { startedAt, endedAt, kind: 'other', detail: `${response.status} ${body}` }
  } catch (error) {
    return { startedAt, endedAt: Date.now(), kind: 'other', detail: String(error) }
  }
}

async function client(web: string, until: number): Promise<Answer[]> {
  const answers: Answer[] = []
  while (Date.now() < until && answers.length < MAX_REQUESTS_PER_CLIENT) {
    answers.push(await ask(web))
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
  }
  return answers
}

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())))

describeWithDocker('crashes under compose', () => {
  const scope = new Scope()
  beforeAll(ensureImages)
  afterEach(() => scope.cleanup())

  test('the API SIGKILLed every 10 s for 60 s: restarted each time, the web never crashes, answers every request in time and serves numbers again within 2 s of the API being healthy', async () => {
    const webPort = await freePort()
    const project = scope.compose({
      name: uniqueName('crashes'),
      files: ['docker-compose.yml', 'test/e2e/support/never-fail.yml'],
      env: {
        NUMBERS_API_IMAGE: imageTag('api', 'production'),
        NUMBERS_WEB_IMAGE: imageTag('web', 'production'),
        NUMBERS_API_PORT: `127.0.0.1:${await freePort()}`,
        NUMBERS_WEB_PORT: `127.0.0.1:${webPort}`,
      },
    })
    const site = `http://127.0.0.1:${webPort}`
    const up = await compose(project, ['up', '-d', '--no-build', '--wait', '--wait-timeout', '60'])
    expect(up.code).toBe(0)
    const api = await composeContainer(project, 'numbers-api')
    const web = await composeContainer(project, 'numbers-web')
    const webBefore = await inspect(web)
    const rssBefore = await rssMiB(web)

    const startedAt = Date.now()
    const until = startedAt + LOAD_MS
    const load = Promise.all(Array.from({ length: CLIENTS }, () => client(site, until)))

    const kills: { killedAt: number; healthyAt: number }[] = []
    for (let at = startedAt + KILL_EVERY_MS; at < until; at += KILL_EVERY_MS) {
      await sleepUntil(at)
      const killedAt = Date.now()
      await docker(['exec', api, 'sh', '-c', `${findApp}; kill -KILL $app`])
      // Docker's own time for the first passing check of the new process.
      const healthyAt = await waitFor(
        `the API to be restarted and healthy after kill ${kills.length + 1}`,
        async () => {
          const info = await inspect(api)
          const passed = info.State.Health?.Log.find(
            (entry) => entry.ExitCode === 0 && Date.parse(entry.Start) > killedAt,
          )
          return info.RestartCount > kills.length && info.State.Health?.Status === 'healthy'
            ? Date.parse(passed?.End ?? '')
            : undefined
        },
        { timeoutMs: KILL_EVERY_MS - 500 },
      )
      kills.push({ killedAt, healthyAt })
    }
    const answers = (await load).flat().sort((a, b) => a.endedAt - b.endedAt)
    const rssAfter = await rssMiB(web)
    const [apiAfter, webAfter] = await Promise.all([inspect(api), inspect(web)])

    const numbers = answers.filter((answer) => answer.kind === 'number')
    const unavailable = answers.filter((answer) => answer.kind === 'unavailable')
    const other = answers.filter((answer) => answer.kind === 'other')
    const slowest = Math.max(...answers.map((answer) => answer.endedAt - answer.startedAt))
    let longestGap = 0
    for (let index = 1; index < numbers.length; index += 1) {
      const gap = (numbers[index]?.endedAt ?? 0) - (numbers[index - 1]?.endedAt ?? 0)
      longestGap = Math.max(longestGap, gap)
    }
    // Per kill, when numbers were back for good: the first number asked for after the last
    // unavailable answer of that outage. Negative: before Docker's check said healthy.
    const backAfter = kills.map(({ killedAt, healthyAt }, index) => {
      const nextKill = kills[index + 1]?.killedAt ?? Number.POSITIVE_INFINITY
      const failed = unavailable.filter(
        (answer) => answer.endedAt > killedAt && answer.startedAt < nextKill,
      )
      const lastFailedStart = Math.max(killedAt, ...failed.map((answer) => answer.startedAt))
      const firstNumber = numbers.find((answer) => answer.startedAt > lastFailedStart)
      return {
        healthyAt,
        nextKill,
        down: healthyAt - killedAt,
        back: (firstNumber?.endedAt ?? Number.POSITIVE_INFINITY) - healthyAt,
      }
    })
    const causes = new Map<string, number>()
    const failures: { time: number; code: string; detail: string }[] = []
    let retried = 0
    for (const line of (await logs(web)).split('\n')) {
      if (line.includes('"rng call retried"')) retried += 1
      if (!line.includes('"rng call failed"')) continue
      const { time, cause } = JSON.parse(line) as {
        time: number
        cause?: { code?: string; detail?: string }
      }
      const code = cause?.code ?? '?'
      causes.set(code, (causes.get(code) ?? 0) + 1)
      failures.push({ time, code, detail: cause?.detail ?? '' })
    }
    // A late return, told by the web's own log: every failure from 1 s before healthy until
    // numbers came back (or the next kill, if they did not).
    const lateStories = backAfter
      .map((kill, index) => ({ ...kill, index }))
      .filter(({ back }) => back > BACK_WITHIN_MS)
      .map(({ healthyAt, nextKill, back, index }) => {
        const until = Math.min(healthyAt + back, nextKill)
        const told = failures
          .filter(({ time }) => time >= healthyAt - 1000 && time <= until)
          .map(({ time, code, detail }) => `${time - healthyAt} ms ${code} (${detail})`)
        return `crashes: kill ${index + 1}, numbers back ${back} ms after healthy; failures logged from healthy-1 s: ${told.join('; ') || 'none'}`
      })
    console.log(
      [
        `crashes: ${kills.length} kills (SIGKILL every ${KILL_EVERY_MS / 1000} s), ${apiAfter.RestartCount} restarts by on-failure`,
        `crashes: ${answers.length} requests from ${CLIENTS} clients in ${LOAD_MS / 1000} s: ${numbers.length} numbers, ${unavailable.length} unavailable, ${other.length} other; slowest answer ${slowest} ms`,
        `crashes: longest gap between numbers ${longestGap} ms; per kill, killed→healthy ${backAfter.map((k) => k.down).join(', ')} ms, healthy→number ${backAfter.map((k) => k.back).join(', ')} ms`,
        `crashes: the web's logged causes: ${[...causes].map(([code, count]) => `${code} ${count}`).join(', ') || 'none'}; calls retried ${retried}`,
        `crashes: web RSS ${rssBefore.toFixed(1)} MiB before, ${rssAfter.toFixed(1)} MiB after; web restarts ${webAfter.RestartCount}`,
        ...lateStories,
        ...other.slice(0, 5).map((answer) => `crashes: other answer: ${answer.detail}`),
      ].join('\n'),
    )

    expect(kills.length).toBe(LOAD_MS / KILL_EVERY_MS - 1)
    expect(apiAfter.RestartCount).toBe(kills.length)
    expect(apiAfter.State.Running).toBe(true)
    // The web: the same process all along, still healthy.
    expect(webAfter.RestartCount).toBe(0)
    expect(webAfter.State.StartedAt).toBe(webBefore.State.StartedAt)
    expect(webAfter.State.Health?.Status).toBe('healthy')
    expect(other).toEqual([])
    expect(slowest).toBeLessThanOrEqual(RNG_API_TIMEOUT_MS + MARGIN_MS)
    for (const { back } of backAfter) expect(back).toBeLessThanOrEqual(BACK_WITHIN_MS)
    expect(numbers.length).toBeGreaterThan(unavailable.length)
  })
})
