// deploy/swarm/stack.yml on a real single-node swarm: Swarm acts on the health checks that
// Docker alone only reports. It replaces a task that turns unhealthy, and rolls back an update
// whose new task never turns healthy, while the web goes on serving. One stack for the file,
// under a random name with the e2e images and a free host port; each test starts by waiting
// for it to settle (one healthy API task, no update running), so no test depends on another.
// The engine is left as found: swarm mode is initialised and left only if it was off.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { parse as parseYaml } from 'yaml'
import {
  describeWithDocker,
  docker,
  freePort,
  http,
  uniqueName,
  waitFor,
} from '../e2e/support/docker.ts'
import { ensureImages, imageTag } from '../e2e/support/images.ts'
import {
  deployStack,
  envOf,
  inspectService,
  joinSwarm,
  leaveSwarm,
  removeStack,
  runningTask,
  type ServiceInfo,
  type SwarmMembership,
  stackFile,
  type TaskInfo,
  tasksOf,
} from './support/swarm.ts'

// ------------------------------------------------------------------ stack.yml as written

type UpdatePolicyYaml = {
  readonly parallelism: number
  readonly order: string
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

/** UpdateStatus states after which Swarm does nothing more on its own. */
const ENDED = ['completed', 'paused', 'rollback_completed', 'rollback_paused']

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

describeWithDocker('Docker Swarm: deploy/swarm/stack.yml on a single-node swarm', () => {
  const stack = uniqueName('swarm')
  const api = `${stack}_numbers-api`
  const webService = `${stack}_numbers-web`
  let membership: SwarmMembership | undefined
  let env: Record<string, string> = {}
  let web = ''
  let deployOutput = ''

  beforeAll(async () => {
    await ensureImages()
    membership = await joinSwarm()
    const port = await freePort()
    env = {
      NUMBERS_API_IMAGE: imageTag('api', 'production'),
      NUMBERS_WEB_IMAGE: imageTag('web', 'production'),
      NUMBERS_WEB_PORT: String(port),
    }
    web = `http://127.0.0.1:${port}`
    deployOutput = await deployStack(stack, env)
    const startedAt = performance.now()
    await settled()
    console.log(
      `swarm: stack ${stack} deployed and healthy in ${seconds(performance.now() - startedAt)} s`,
    )
  })

  afterAll(async () => {
    try {
      if (membership) await removeStack(stack)
    } finally {
      await leaveSwarm(membership)
    }
  })

  /** Waits for one running (so healthy) API task, no update in progress, and a ready web. */
  function settled(): Promise<TaskInfo> {
    return waitFor(
      'the stack to settle (one healthy API task, no update running, the web ready)',
      async () => {
        const status = (await inspectService(api)).UpdateStatus?.State
        if (status !== undefined && !['completed', 'rollback_completed'].includes(status)) {
          return undefined
        }
        const task = await runningTask(api)
        if (!task || !(await runningTask(webService))) return undefined
        const ready = await http(`${web}/ready`, { timeoutMs: 1000 })
        return ready.status === 200 ? task : undefined
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    )
  }

  test('docker stack deploy honours every key of stack.yml: nothing ignored, all of it in the services', async () => {
    expect(deployOutput).not.toMatch(/Ignoring/i)
    const services = readStackYaml(env)
    expect(Object.keys(services).sort()).toEqual(['numbers-api', 'numbers-web'])
    for (const [name, yaml] of Object.entries(services)) {
      const unchecked = [
        ...Object.keys(yaml).filter((key) => !CHECKED_KEYS.service.includes(key)),
        ...Object.keys(yaml.deploy).filter((key) => !CHECKED_KEYS.deploy.includes(key)),
      ]
      expect(unchecked, `${name}: keys this test does not check yet`).toEqual([])
      const service: ServiceInfo = await inspectService(`${stack}_${name}`)
      expect(service.Spec, name).toMatchObject(expectedSpec(name, yaml))
      expect([...(service.Spec.TaskTemplate.ContainerSpec.Env ?? [])].sort(), name).toEqual(
        Object.entries(yaml.environment ?? {})
          .map(([key, value]) => `${key}=${value}`)
          .sort(),
      )
    }
  })

  test('an API task that turns unhealthy is replaced by Swarm with no manual step, and /api/number answers numbers again', async () => {
    const before = await settled()
    const { healthcheck, deploy } = readStackYaml(env)['numbers-api'] as ServiceYaml
    // Detection, Swarm's restart delay and the new task's first healthy check, plus margin.
    const boundMs =
      ((nanoseconds(healthcheck?.interval ?? '30s') + nanoseconds(healthcheck?.timeout ?? '30s')) *
        (healthcheck?.retries ?? 3) +
        nanoseconds(deploy.restart_policy.delay ?? '5s') +
        nanoseconds(healthcheck?.start_period ?? '0s')) /
        1e6 +
      20_000

    // Three good numbers, then the call that finds the API unhealthy (fewer if this task has
    // already served some).
    let failedAt: number | undefined
    for (let call = 1; call <= 4 && failedAt === undefined; call += 1) {
      const reply = await http(`${web}/api/number`)
      if (reply.status === 200)
        expect(JSON.parse(reply.body)).toEqual({ number: expect.any(Number) })
      else failedAt = performance.now()
    }
    if (failedAt === undefined) throw new Error('four /api/number calls and the API never failed')

    const answer = await waitFor(
      '/api/number to answer a number again',
      async () => {
        const reply = await http(`${web}/api/number`, { timeoutMs: 2000 })
        return reply.status === 200 ? reply : undefined
      },
      { timeoutMs: boundMs, intervalMs: 250 },
    )
    const replacedMs = performance.now() - failedAt
    console.log(
      `swarm: unhealthy API task replaced; /api/number answered again ${seconds(replacedMs)} s after the failing call (bound ${seconds(boundMs)} s)`,
    )
    expect(JSON.parse(answer.body)).toEqual({ number: expect.any(Number) })

    const after = await waitFor('a running API task', () => runningTask(api), { timeoutMs: 10_000 })
    expect(after.ID).not.toBe(before.ID)
    expect(after.Status.ContainerStatus?.ContainerID).not.toBe(
      before.Status.ContainerStatus?.ContainerID,
    )
    const old = (await tasksOf(api)).find((task) => task.ID === before.ID)
    expect(old?.DesiredState).toBe('shutdown')
    expect(old?.Status.State).not.toBe('running')
  })

  test('an update whose new task fails its health check is rolled back by Swarm, and the web serves its page all along', async () => {
    const before = await settled()
    const previousUpdate = JSON.stringify((await inspectService(api)).UpdateStatus ?? null)
    const statesSeen: string[] = []
    let rollbackStartedMs = Number.NaN
    const health = watchHttp(`${web}/`, 100)
    const startedAt = performance.now()
    let final: ServiceInfo['UpdateStatus']
    let after: TaskInfo
    let watched = { ok: 0, failures: [] as string[] }
    try {
      await docker(['service', 'update', '--detach', '--env-add', 'BROKEN=true', api])
      final = await waitFor(
        'the update to end',
        async () => {
          const status = (await inspectService(api)).UpdateStatus
          // Until the manager starts this update, the status is the previous one (or none).
          if (!status || JSON.stringify(status) === previousUpdate) return undefined
          if (statesSeen.at(-1) !== status.State) statesSeen.push(status.State)
          if (status.State === 'rollback_started' && Number.isNaN(rollbackStartedMs)) {
            rollbackStartedMs = performance.now() - startedAt
          }
          return ENDED.includes(status.State) ? status : undefined
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      )
      const rollbackMs = performance.now() - startedAt
      console.log(
        `swarm: BROKEN=true update went ${statesSeen.join(' → ')}; rollback started after ${seconds(rollbackStartedMs)} s, completed after ${seconds(rollbackMs)} s`,
      )
      after = await settled()
    } finally {
      watched = await health.stop()
    }
    console.log(
      `swarm: the web's page during the rollout: ${watched.ok} answers, ${watched.failures.length} failures`,
    )

    expect(final?.State).toBe('rollback_completed')
    expect(statesSeen).toContain('rollback_started')
    expect(watched.failures).toEqual([])
    expect(watched.ok).toBeGreaterThan(10)
    // start-first: the old task served until a new one was healthy, which never happened.
    expect(after.ID).toBe(before.ID)
    expect(envOf(after)).not.toContain('BROKEN=true')
    const { stdout } = await docker([
      'container',
      'inspect',
      '--format',
      '{{json .Config.Env}}',
      after.Status.ContainerStatus?.ContainerID ?? '',
    ])
    expect(JSON.parse(stdout)).not.toContain('BROKEN=true')
    expect((await inspectService(api)).Spec.TaskTemplate.ContainerSpec.Env).not.toContain(
      'BROKEN=true',
    )
    // The broken release was tried, and none of its tasks is meant to run.
    const tried = (await tasksOf(api)).filter((task) => envOf(task).includes('BROKEN=true'))
    expect(tried.length).toBeGreaterThan(0)
    for (const task of tried) expect(task.DesiredState).toBe('shutdown')
  })
})
