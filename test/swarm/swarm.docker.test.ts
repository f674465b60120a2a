// deploy/swarm/stack.yml on a real single-node swarm: Swarm acts on the health checks that
// Docker alone only reports. It replaces tasks that turn unhealthy, updates the API one task at
// a time under load without losing a number, and rolls back an update whose new task never
// turns healthy, while the web goes on serving. Two stacks, one after the other, each under a
// random name with the e2e images and a free host port: stack.yml as written (the API's
// FAIL_AFTER lesson), then with FAIL_AFTER=0 for the updates under load. Each test starts by
// waiting for its stack to settle (every API task healthy, no update running), so no test
// depends on another. The engine is left as found: swarm mode is initialised and left only if
// it was off.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { keys } from '../../packages/config/src/index.ts'
import { sampleOf } from '../../tools/metrics.ts'
import {
  describeWithDocker,
  docker,
  freePort,
  http,
  uniqueName,
  waitFor,
} from '../e2e/support/docker.ts'
import { ensureImages, imageTag } from '../e2e/support/images.ts'
import { DEFAULT_FAIL_AFTER } from '../helpers/config.ts'
import { type LoadReport, steadyLoad } from './support/load.ts'
import {
  callsServed,
  deployStack,
  envOf,
  inspectService,
  joinSwarm,
  leaveSwarm,
  neverFailFile,
  removeStack,
  runningTasks,
  type ServiceInfo,
  type SwarmMembership,
  stackFile,
  type TaskInfo,
  tasksOf,
  type UpdateRun,
  updateService,
} from './support/swarm.ts'

// ------------------------------------------------------------------ stack.yml as written

type UpdatePolicyYaml = {
  readonly parallelism: number
  readonly order: string
  readonly delay?: string
  readonly monitor?: string
  readonly failure_action?: string
}

type ServiceYaml = {
  readonly image: string
  readonly environment?: Readonly<Record<string, string>>
  readonly read_only?: boolean
  readonly init?: boolean
  readonly cap_drop?: readonly string[]
  readonly stop_grace_period?: string
  readonly networks?: readonly string[]
  readonly volumes?: readonly {
    readonly type: string
    readonly target: string
    readonly tmpfs?: { readonly size: number }
  }[]
  readonly ports?: readonly {
    readonly target: number
    readonly published: number
    readonly protocol: string
    readonly mode: string
  }[]
  readonly healthcheck?: {
    readonly interval?: string
    readonly timeout?: string
    readonly retries?: number
    readonly start_period?: string
  }
  readonly deploy: {
    readonly replicas: number
    readonly endpoint_mode?: string
    readonly resources: {
      readonly limits: { readonly cpus: string; readonly memory: string }
      readonly reservations?: { readonly memory?: string }
    }
    readonly restart_policy: { readonly condition: string; readonly delay?: string }
    readonly update_config: UpdatePolicyYaml
    readonly rollback_config: UpdatePolicyYaml
  }
}

/** The keys the first test knows how to check; a new key in stack.yml must be added there. */
const CHECKED_KEYS = {
  service: [
    'image',
    'environment',
    'read_only',
    'init',
    'cap_drop',
    'stop_grace_period',
    'networks',
    'volumes',
    'ports',
    'healthcheck',
    'deploy',
  ],
  deploy: [
    'replicas',
    'endpoint_mode',
    'resources',
    'restart_policy',
    'update_config',
    'rollback_config',
  ],
}

/** stack.yml as `docker stack deploy` reads it: `${NAME:-default}` filled in from `env`. */
function readStackYaml(env: Readonly<Record<string, string>>): Record<string, ServiceYaml> {
  const text = readFileSync(stackFile, 'utf8').replace(
    /\$\{(\w+):-([^}]*)\}/g,
    (_match, name: string, fallback: string) => env[name] ?? fallback,
  )
  return (parseYaml(text, { merge: true }) as { services: Record<string, ServiceYaml> }).services
}

const NS_PER = { ms: 1e6, s: 1e9, m: 60e9 } as const
/** Compose durations as Swarm stores them: `2s` → 2e9 ns. */
function nanoseconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration)
  if (!match) throw new Error(`unexpected duration ${duration}`)
  return Number(match[1]) * NS_PER[match[2] as keyof typeof NS_PER]
}

const BYTES_PER = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as const
function bytes(size: string): number {
  const match = /^(\d+)([KMG])$/.exec(size)
  if (!match) throw new Error(`unexpected size ${size}`)
  return Number(match[1]) * BYTES_PER[match[2] as keyof typeof BYTES_PER]
}

const optional = <T>(key: string, value: T | undefined) =>
  value === undefined ? {} : { [key]: value }

function expectedPolicy(policy: UpdatePolicyYaml) {
  return {
    Parallelism: policy.parallelism,
    Order: policy.order,
    ...optional('Delay', policy.delay && nanoseconds(policy.delay)),
    ...optional('Monitor', policy.monitor && nanoseconds(policy.monitor)),
    ...optional('FailureAction', policy.failure_action),
  }
}

/** What Swarm must hold for one service of stack.yml, in `docker service inspect`'s terms. */
function expectedSpec(name: string, yaml: ServiceYaml) {
  const { deploy, healthcheck } = yaml
  return {
    Mode: { Replicated: { Replicas: deploy.replicas } },
    TaskTemplate: {
      ContainerSpec: {
        Image: yaml.image,
        ...optional('ReadOnly', yaml.read_only),
        ...optional('Init', yaml.init),
        ...optional('CapabilityDrop', yaml.cap_drop),
        ...optional(
          'StopGracePeriod',
          yaml.stop_grace_period && nanoseconds(yaml.stop_grace_period),
        ),
        ...optional(
          'Healthcheck',
          healthcheck && {
            ...optional('Interval', healthcheck.interval && nanoseconds(healthcheck.interval)),
            ...optional('Timeout', healthcheck.timeout && nanoseconds(healthcheck.timeout)),
            ...optional('Retries', healthcheck.retries),
            ...optional(
              'StartPeriod',
              healthcheck.start_period && nanoseconds(healthcheck.start_period),
            ),
          },
        ),
        ...optional(
          'Mounts',
          yaml.volumes?.map((volume) => ({
            Type: volume.type,
            Target: volume.target,
            ...optional('TmpfsOptions', volume.tmpfs && { SizeBytes: volume.tmpfs.size }),
          })),
        ),
      },
      Resources: {
        Limits: {
          NanoCPUs: Math.round(Number(deploy.resources.limits.cpus) * 1e9),
          MemoryBytes: bytes(deploy.resources.limits.memory),
        },
        ...optional(
          'Reservations',
          deploy.resources.reservations?.memory && {
            MemoryBytes: bytes(deploy.resources.reservations.memory),
          },
        ),
      },
      RestartPolicy: {
        Condition: deploy.restart_policy.condition,
        ...optional(
          'Delay',
          deploy.restart_policy.delay && nanoseconds(deploy.restart_policy.delay),
        ),
      },
      Networks: (yaml.networks ?? []).map(() => ({ Aliases: [name] })),
    },
    UpdateConfig: expectedPolicy(deploy.update_config),
    RollbackConfig: expectedPolicy(deploy.rollback_config),
    EndpointSpec: {
      Mode: deploy.endpoint_mode ?? 'vip',
      ...optional(
        'Ports',
        yaml.ports?.map((port) => ({
          Protocol: port.protocol,
          TargetPort: port.target,
          PublishedPort: Number(port.published),
          PublishMode: port.mode,
        })),
      ),
    },
  }
}

// ------------------------------------------------------------------ the suite

const seconds = (ms: number) => (ms / 1000).toFixed(1)
const count = (n: number) => n.toLocaleString('en-US')

const RNG_API_TIMEOUT_MS = keys.RNG_API_TIMEOUT_MS.schema.default
/** "A few hundred requests a second" through the web, for the whole of each update. */
const LOAD_PER_SECOND = 300
/**
 * The web answers within RNG_API_TIMEOUT_MS, number or not; the rest is for a busy 2-core
 * machine (as in the crash test). Only a request with no answer by then is failed for its time.
 */
const LOAD_TIMEOUT_MS = RNG_API_TIMEOUT_MS + 4000
/** Two updates of two tasks, each with its delay and monitor, well inside the test's time. */
const UPDATE_TIMEOUT_MS = 120_000

/** GETs `url` every `everyMs` until stopped; counts the 200s and describes everything else. */
function watchHttp(url: string, everyMs: number) {
  let stopped = false
  let ok = 0
  const failures: string[] = []
  const loop = (async () => {
    while (!stopped) {
      const startedAt = performance.now()
      try {
        const reply = await http(url, { timeoutMs: 1000 })
        if (reply.status === 200) ok += 1
        else failures.push(`${reply.status} ${reply.body.slice(0, 80)}`)
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error))
      }
      // A steady pace, not a wait for some state: the next probe is due everyMs after this one.
      await sleep(Math.max(0, everyMs - (performance.now() - startedAt)))
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
      return { ok, failures }
    },
  }
}

/** Calls the web sent a second time (its connection closed before any answer), from its /metrics. */
async function webRetries(web: string): Promise<number> {
  const reply = await http(`${web}/metrics`)
  const retries = sampleOf(reply.body, 'numbers_web_api_retries_total')
  if (retries === undefined)
    throw new Error("no numbers_web_api_retries_total in the web's /metrics")
  return retries
}

function describeLoad(report: LoadReport, retries: number): string {
  const shown = report.failures
    .slice(0, 10)
    .map((failure) => `\n  at ${seconds(failure.atMs)} s: ${failure.what}`)
    .join('')
  return `${count(report.requests)} requests in ${seconds(report.durationMs)} s (${LOAD_PER_SECOND}/s): ${count(report.numbers)} numbers, ${report.failures.length} failed; slowest ${Math.round(report.slowestMs)} ms (sent at ${seconds(report.slowestAtMs)} s); ${retries} retried by the web${shown}`
}

const idsOf = (tasks: readonly TaskInfo[]) => tasks.map((task) => task.ID).sort()

/** A service's task history, one line per task, for a failed assertion's message. */
async function history(service: string): Promise<string> {
  const lines = (await tasksOf(service)).map(
    (task) =>
      `slot ${task.Slot} ${task.ID} at ${task.Status.Timestamp}: desired ${task.DesiredState}, ${task.Status.State}: ${task.Status.Message}${task.Status.Err ? ` (${task.Status.Err})` : ''}${envOf(task).includes('BROKEN=true') ? ' [BROKEN]' : ''}`,
  )
  return `\n${lines.join('\n')}`
}

type UpdateUnderLoad = {
  readonly before: TaskInfo[]
  readonly update: UpdateRun
  readonly after: TaskInfo[]
  readonly report: LoadReport
  /** Calls the web retried during it. */
  readonly retries: number
}

/**
 * `docker service update` of the stack's API with `flags`, under the steady load through the
 * web from before it starts until the tasks have settled after it (the old tasks stopped, not
 * only Swarm saying completed).
 */
async function updateUnderLoad(stack: Stack, flags: readonly string[]): Promise<UpdateUnderLoad> {
  const before = await stack.settled()
  const retriesBefore = await webRetries(stack.web)
  const load = steadyLoad(new URL('/api/number', stack.web), {
    ratePerSecond: LOAD_PER_SECOND,
    timeoutMs: LOAD_TIMEOUT_MS,
  })
  let update: UpdateRun
  let after: TaskInfo[]
  let report: LoadReport
  try {
    update = await updateService(stack.api, flags, { timeoutMs: UPDATE_TIMEOUT_MS })
    after = await stack.settled()
  } finally {
    report = await load.stop()
  }
  const retries = (await webRetries(stack.web)) - retriesBefore
  return { before, update, after, report, retries }
}

type Stack = {
  readonly name: string
  readonly api: string
  readonly webService: string
  /** Filled in by the describe's beforeAll. */
  env: Record<string, string>
  web: string
  deployOutput: string
  replicas: number
  /** Waits for every API task running (so healthy), no update running, and a ready web. */
  readonly settled: () => Promise<TaskInfo[]>
}

/** Deploys stack.yml (with `overrides`) before the tests of the describe it is called in; removes it after them. */
function useStack(label: string, overrides: readonly string[] = []): Stack {
  const name = uniqueName(label)
  const stack: Stack = {
    name,
    api: `${name}_numbers-api`,
    webService: `${name}_numbers-web`,
    env: {},
    web: '',
    deployOutput: '',
    replicas: 0,
    settled: () =>
      waitFor(
        'the stack to settle (every API task healthy, no update running, the web ready)',
        async () => {
          const status = (await inspectService(stack.api)).UpdateStatus?.State
          if (status !== undefined && !['completed', 'rollback_completed'].includes(status)) {
            return undefined
          }
          const tasks = await runningTasks(stack.api, stack.replicas)
          if (!tasks || !(await runningTasks(stack.webService, 1))) return undefined
          const ready = await http(`${stack.web}/ready`, { timeoutMs: 1000 })
          return ready.status === 200 ? tasks : undefined
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      ),
  }
  let deploying = false

  beforeAll(async () => {
    const port = await freePort()
    stack.env = {
      NUMBERS_API_IMAGE: imageTag('api', 'production'),
      NUMBERS_WEB_IMAGE: imageTag('web', 'production'),
      NUMBERS_WEB_PORT: String(port),
    }
    stack.web = `http://127.0.0.1:${port}`
    stack.replicas = (readStackYaml(stack.env)['numbers-api'] as ServiceYaml).deploy.replicas
    deploying = true
    stack.deployOutput = await deployStack(name, stack.env, overrides)
    const startedAt = performance.now()
    await stack.settled()
    console.log(
      `swarm: stack ${name} deployed and healthy in ${seconds(performance.now() - startedAt)} s`,
    )
  })

  afterAll(async () => {
    if (deploying) await removeStack(name)
  })

  return stack
}

describeWithDocker('Docker Swarm: deploy/swarm/stack.yml on a single-node swarm', () => {
  let membership: SwarmMembership | undefined

  beforeAll(async () => {
    await ensureImages()
    membership = await joinSwarm()
  })

  afterAll(async () => {
    await leaveSwarm(membership)
  })

  describe('stack.yml as written', () => {
    const stack = useStack('swarm')

    test('docker stack deploy honours every key of stack.yml: nothing ignored, all of it in the services', async () => {
      expect(stack.deployOutput).not.toMatch(/Ignoring/i)
      const services = readStackYaml(stack.env)
      expect(Object.keys(services).sort()).toEqual(['numbers-api', 'numbers-web'])
      for (const [name, yaml] of Object.entries(services)) {
        const unchecked = [
          ...Object.keys(yaml).filter((key) => !CHECKED_KEYS.service.includes(key)),
          ...Object.keys(yaml.deploy).filter((key) => !CHECKED_KEYS.deploy.includes(key)),
        ]
        expect(unchecked, `${name}: keys this test does not check yet`).toEqual([])
        const service: ServiceInfo = await inspectService(`${stack.name}_${name}`)
        expect(service.Spec, name).toMatchObject(expectedSpec(name, yaml))
        expect([...(service.Spec.TaskTemplate.ContainerSpec.Env ?? [])].sort(), name).toEqual(
          Object.entries(yaml.environment ?? {})
            .map(([key, value]) => `${key}=${value}`)
            .sort(),
        )
      }
    })

    test('API tasks that turn unhealthy are replaced by Swarm with no manual step, and /api/number answers numbers again', async () => {
      const before = await stack.settled()
      const { healthcheck, deploy } = readStackYaml(stack.env)['numbers-api'] as ServiceYaml
      // Detection, Swarm's restart delay and the new task's first healthy check, plus margin.
      const boundMs =
        ((nanoseconds(healthcheck?.interval ?? '30s') +
          nanoseconds(healthcheck?.timeout ?? '30s')) *
          (healthcheck?.retries ?? 3) +
          nanoseconds(deploy.restart_policy.delay ?? '5s') +
          nanoseconds(healthcheck?.start_period ?? '0s')) /
          1e6 +
        20_000

      // The web spreads its calls over the tasks, so each serves its FAIL_AFTER numbers before
      // a call finds it unhealthy: one more call per task than it has numbers uses them all up.
      // (No other test asks this stack for numbers.)
      let numbers = 0
      let failedAt: number | undefined
      for (let call = 1; call <= stack.replicas * (DEFAULT_FAIL_AFTER + 1); call += 1) {
        const reply = await http(`${stack.web}/api/number`)
        if (reply.status === 200) {
          expect(JSON.parse(reply.body)).toEqual({ number: expect.any(Number) })
          numbers += 1
        } else {
          failedAt ??= performance.now()
        }
      }
      expect(numbers, 'numbers before every task turned unhealthy').toBe(
        stack.replicas * DEFAULT_FAIL_AFTER,
      )
      if (failedAt === undefined) throw new Error('the API never failed')

      const answer = await waitFor(
        '/api/number to answer a number again',
        async () => {
          const reply = await http(`${stack.web}/api/number`, { timeoutMs: 2000 })
          return reply.status === 200 ? reply : undefined
        },
        { timeoutMs: boundMs, intervalMs: 250 },
      )
      const answeredMs = performance.now() - failedAt
      expect(JSON.parse(answer.body)).toEqual({ number: expect.any(Number) })
      const replaced = await waitFor(
        'every API task to be replaced',
        async () => {
          const tasks = await runningTasks(stack.api, stack.replicas)
          return tasks?.every((task) => !idsOf(before).includes(task.ID)) ? tasks : undefined
        },
        { timeoutMs: boundMs, intervalMs: 250 },
      )
      console.log(
        `swarm: ${before.length} unhealthy API tasks replaced; /api/number answered again ${seconds(answeredMs)} s after the first failing call, all replaced after ${seconds(performance.now() - failedAt)} s (bound ${seconds(boundMs)} s)`,
      )

      const containers = (tasks: readonly TaskInfo[]) =>
        tasks.map((task) => task.Status.ContainerStatus?.ContainerID)
      for (const container of containers(replaced)) {
        expect(containers(before)).not.toContain(container)
      }
      const history = await tasksOf(stack.api)
      for (const old of before) {
        const now = history.find((task) => task.ID === old.ID)
        expect(now?.DesiredState).toBe('shutdown')
        expect(now?.Status.State).not.toBe('running')
      }
    })
  })

  describe('updates under load (FAIL_AFTER=0)', () => {
    const stack = useStack('swarm-roll', [neverFailFile])

    test(`a rolling update of the API (--force) under ${LOAD_PER_SECOND} requests a second through the web loses no number`, async () => {
      const { before, update, after, report, retries } = await updateUnderLoad(stack, ['--force'])
      const served = await Promise.all(after.map(callsServed))
      // More than one new task per replica: Swarm replaced one of them during the update.
      const started = (await tasksOf(stack.api)).filter(
        (task) => !idsOf(before).includes(task.ID) && !envOf(task).includes('BROKEN=true'),
      )
      console.log(
        `swarm: update --force went ${update.states.join(' → ')} in ${seconds(update.durationMs)} s; ${started.length} tasks started for ${after.length} replicas; numbers served by the new tasks: ${served.map(count).join(' / ')}${started.length > after.length ? await history(stack.api) : ''}`,
      )
      console.log(`swarm: under load during the update: ${describeLoad(report, retries)}`)

      expect(update.final.State).toBe('completed')
      for (const id of idsOf(after)) expect(idsOf(before)).not.toContain(id)
      expect(report.failures).toEqual([])
      expect(report.requests).toBeGreaterThan(LOAD_PER_SECOND * 5)
      // Both new tasks took their share: the web spread its calls over them. (A task Swarm had to
      // replace during the update starts late, with a smaller share: printed, not asserted.)
      if (started.length === after.length) {
        for (const each of served) expect(each).toBeGreaterThan(report.numbers / 10)
      }
    })

    test(`an update to a BROKEN=true release under the same load is rolled back by Swarm, with no number lost and the web serving its page all along`, async () => {
      const page = watchHttp(`${stack.web}/`, 100)
      let run: UpdateUnderLoad
      let watched = { ok: 0, failures: [] as string[] }
      try {
        run = await updateUnderLoad(stack, ['--env-add', 'BROKEN=true'])
      } finally {
        watched = await page.stop()
      }
      const { before, update, after, report, retries } = run
      console.log(
        `swarm: BROKEN=true update went ${update.states.join(' → ')}; rollback started after ${seconds(update.stateAtMs.rollback_started ?? Number.NaN)} s, completed after ${seconds(update.durationMs)} s`,
      )
      console.log(`swarm: under load during the update: ${describeLoad(report, retries)}`)
      console.log(
        `swarm: the web's page during the update: ${watched.ok} answers, ${watched.failures.length} failures`,
      )

      expect(update.final.State).toBe('rollback_completed')
      expect(update.states).toContain('rollback_started')
      expect(report.failures).toEqual([])
      expect(report.requests).toBeGreaterThan(LOAD_PER_SECOND * 5)
      expect(watched.failures).toEqual([])
      expect(watched.ok).toBeGreaterThan(10)
      // start-first: the old tasks served until new ones were healthy, which never happened.
      expect(idsOf(after), await history(stack.api)).toEqual(idsOf(before))
      for (const task of after) {
        expect(envOf(task)).not.toContain('BROKEN=true')
        const { stdout } = await docker([
          'container',
          'inspect',
          '--format',
          '{{json .Config.Env}}',
          task.Status.ContainerStatus?.ContainerID ?? '',
        ])
        expect(JSON.parse(stdout)).not.toContain('BROKEN=true')
      }
      expect((await inspectService(stack.api)).Spec.TaskTemplate.ContainerSpec.Env).not.toContain(
        'BROKEN=true',
      )
      // The broken release was tried, and none of its tasks is meant to run.
      const tried = (await tasksOf(stack.api)).filter((task) => envOf(task).includes('BROKEN=true'))
      expect(tried.length).toBeGreaterThan(0)
      for (const task of tried) expect(task.DesiredState).toBe('shutdown')
    })
  })
})
