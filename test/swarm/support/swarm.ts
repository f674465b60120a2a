// A single-node swarm for the Swarm tests: join swarm mode only if the engine is not in it
// already (and leave only then), deploy deploy/swarm/stack.yml under a name, read its
// services and tasks, follow an update to its end, and remove the stack whatever happened.
import { join } from 'node:path'
import { sampleOf } from '../../../tools/metrics.ts'
import { docker, repoRoot, waitFor } from '../../e2e/support/docker.ts'

export const stackFile = join(repoRoot, 'deploy', 'swarm', 'stack.yml')
/** stack.yml with an API that never turns unhealthy: the rolling-update scenario. */
export const neverFailFile = join(import.meta.dirname, 'never-fail.yml')

// ------------------------------------------------------------------ swarm mode

/** Whether this process put the engine into swarm mode, and so must take it out again. */
export type SwarmMembership = { readonly initialisedHere: boolean }

type SwarmInfo = { readonly LocalNodeState: string; readonly ControlAvailable: boolean }

async function swarmInfo(): Promise<SwarmInfo> {
  const { stdout } = await docker(['info', '--format', '{{json .Swarm}}'])
  return JSON.parse(stdout) as SwarmInfo
}

/**
 * Makes the engine a swarm manager. An engine already in a swarm is used as it is (it must be
 * a manager: only managers deploy); otherwise a one-node swarm is initialised, advertised on
 * loopback so that a host with several addresses does not make `swarm init` ask which one.
 */
export async function joinSwarm(): Promise<SwarmMembership> {
  const info = await swarmInfo()
  if (info.LocalNodeState === 'active') {
    if (!info.ControlAvailable)
      throw new Error('this engine is a swarm worker: stacks need a manager')
    return { initialisedHere: false }
  }
  if (info.LocalNodeState !== 'inactive') {
    throw new Error(`swarm mode is "${info.LocalNodeState}" here: fix the engine's swarm first`)
  }
  await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1'])
  return { initialisedHere: true }
}

/** Leaves the engine as it was found: out of swarm mode only if `joinSwarm` put it in. */
export async function leaveSwarm(membership: SwarmMembership | undefined): Promise<void> {
  if (membership?.initialisedHere) await docker(['swarm', 'leave', '--force'])
}

// ------------------------------------------------------------------ stacks

/**
 * `docker stack deploy` of stack.yml, merged with `overrides` (later files win, as with
 * several `-c`); returns what it printed (warnings included).
 */
export async function deployStack(
  name: string,
  env: Readonly<Record<string, string>>,
  overrides: readonly string[] = [],
): Promise<string> {
  const files = [stackFile, ...overrides].flatMap((file) => ['--compose-file', file])
  const { stdout, stderr } = await docker(
    ['stack', 'deploy', '--resolve-image', 'never', ...files, name],
    { env, timeoutMs: 120_000 },
  )
  return `${stderr}${stdout}`
}

const namespaceFilter = (stack: string) => `label=com.docker.stack.namespace=${stack}`

async function ids(args: readonly string[]): Promise<string[]> {
  const { stdout } = await docker(args)
  return stdout.trim().split('\n').filter(Boolean)
}

/**
 * Removes a stack and waits until its services, containers and network are gone, so that a
 * swarm leave or the next deploy finds nothing of it. Safe to call for a stack that is not there.
 */
export async function removeStack(stack: string): Promise<void> {
  await docker(['stack', 'rm', stack], { allowFailure: true })
  await waitFor(
    `stack ${stack} to be removed`,
    async () => {
      const left = [
        ...(await ids(['service', 'ls', '-q', '--filter', namespaceFilter(stack)])),
        ...(await ids(['ps', '-aq', '--filter', namespaceFilter(stack)])),
      ]
      if (left.length > 0) return undefined
      // The network goes last: `stack rm` cannot remove it while tasks still hold it.
      const networks = await ids(['network', 'ls', '-q', '--filter', namespaceFilter(stack)])
      if (networks.length === 0) return true
      await docker(['network', 'rm', ...networks], { allowFailure: true })
      return undefined
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  )
}

// ------------------------------------------------------------------ services and tasks

type Nanoseconds = number

export type HealthcheckSpec = {
  readonly Test?: readonly string[]
  readonly Interval?: Nanoseconds
  readonly Timeout?: Nanoseconds
  readonly Retries?: number
  readonly StartPeriod?: Nanoseconds
}

type UpdatePolicy = {
  readonly Parallelism: number
  readonly Order: string
  readonly Delay?: Nanoseconds
  readonly Monitor?: Nanoseconds
  readonly FailureAction?: string
}

/** The parts of `docker service inspect` the tests read. */
export type ServiceInfo = {
  readonly ID: string
  readonly Spec: {
    readonly Name: string
    readonly Mode: { readonly Replicated?: { readonly Replicas: number } }
    readonly TaskTemplate: {
      readonly ContainerSpec: {
        readonly Image: string
        readonly Env?: readonly string[]
        readonly ReadOnly?: boolean
        readonly Init?: boolean
        readonly CapabilityDrop?: readonly string[]
        readonly Healthcheck?: HealthcheckSpec
        readonly Mounts?: readonly {
          readonly Type: string
          readonly Target: string
          readonly TmpfsOptions?: { readonly SizeBytes?: number }
        }[]
      }
      readonly Resources?: {
        readonly Limits?: { readonly NanoCPUs?: number; readonly MemoryBytes?: number }
        readonly Reservations?: { readonly NanoCPUs?: number; readonly MemoryBytes?: number }
      }
      readonly RestartPolicy?: { readonly Condition: string; readonly Delay?: Nanoseconds }
      readonly Networks?: readonly {
        readonly Target: string
        readonly Aliases?: readonly string[]
      }[]
    }
    readonly UpdateConfig?: UpdatePolicy
    readonly RollbackConfig?: UpdatePolicy
    readonly EndpointSpec?: {
      readonly Mode: string
      readonly Ports?: readonly {
        readonly Protocol: string
        readonly TargetPort: number
        readonly PublishedPort: number
        readonly PublishMode: string
      }[]
    }
  }
  readonly UpdateStatus?: UpdateStatus
}

/** Where the service's latest update is; absent before its first one. */
export type UpdateStatus = {
  readonly State: string
  readonly StartedAt?: string
  readonly CompletedAt?: string
  readonly Message?: string
}

export async function inspectService(service: string): Promise<ServiceInfo> {
  const { stdout } = await docker(['service', 'inspect', service])
  const [info] = JSON.parse(stdout) as ServiceInfo[]
  if (!info) throw new Error(`no service ${service}`)
  return info
}

/** One task of a service: what Swarm wants of it (DesiredState) and where it is (Status). */
export type TaskInfo = {
  readonly ID: string
  /** Which of the service's replicas this task is (or was) one of. */
  readonly Slot?: number
  readonly DesiredState: string
  readonly Status: {
    readonly Timestamp?: string
    readonly State: string
    readonly Message: string
    readonly Err?: string
    readonly ContainerStatus?: { readonly ContainerID?: string; readonly ExitCode?: number }
  }
  readonly Spec: { readonly ContainerSpec: { readonly Env?: readonly string[] } }
}

/** Every task the service has had that Swarm still remembers, newest first. */
export async function tasksOf(service: string): Promise<TaskInfo[]> {
  const taskIds = await ids(['service', 'ps', '-q', '--no-trunc', service])
  if (taskIds.length === 0) return []
  // A task can be pruned from the history between the two commands: keep the others.
  const { stdout } = await docker(['inspect', '--type', 'task', ...taskIds], { allowFailure: true })
  return stdout.trim() === '' ? [] : (JSON.parse(stdout) as TaskInfo[])
}

/**
 * The service's tasks once exactly `replicas` are meant to run and do (health checks passed)
 * and none on its way out is still running; undefined until then.
 */
export async function runningTasks(
  service: string,
  replicas: number,
): Promise<TaskInfo[] | undefined> {
  const tasks = await tasksOf(service)
  const wanted = tasks.filter((task) => task.DesiredState === 'running')
  const leaving = tasks.filter(
    (task) => task.DesiredState !== 'running' && task.Status.State === 'running',
  )
  const settled =
    wanted.length === replicas &&
    wanted.every((task) => task.Status.State === 'running') &&
    leaving.length === 0
  return settled ? wanted : undefined
}

/** `/rng` calls a running API task has answered with a number, from its own /metrics. */
export async function callsServed(task: TaskInfo): Promise<number> {
  const container = task.Status.ContainerStatus?.ContainerID
  if (!container) throw new Error(`task ${task.ID} has no container`)
  // The image has no curl; its node fetches.
  const { stdout } = await docker([
    'exec',
    container,
    'node',
    '-e',
    "fetch('http://127.0.0.1/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))",
  ])
  const served = sampleOf(stdout, 'numbers_api_rng_calls_total{outcome="served"}')
  if (served === undefined) throw new Error(`no served count in task ${task.ID}'s /metrics`)
  return served
}

/** UpdateStatus states after which Swarm does nothing more on its own. */
const UPDATE_ENDED = ['completed', 'paused', 'rollback_completed', 'rollback_paused']

async function updateStatus(service: string): Promise<UpdateStatus | undefined> {
  return (await inspectService(service)).UpdateStatus
}

export type UpdateRun = {
  readonly final: UpdateStatus
  /** Every state seen, in order, from the first poll that saw this update. */
  readonly states: readonly string[]
  /** ms from `docker service update` to the first poll that saw each state. */
  readonly stateAtMs: Readonly<Record<string, number>>
  readonly durationMs: number
}

/**
 * `docker service update --detach` with `args`, then polls the service's UpdateStatus until
 * that update ends (completed, paused, rolled back), within `timeoutMs`.
 */
export async function updateService(
  service: string,
  args: readonly string[],
  { timeoutMs }: { readonly timeoutMs: number },
): Promise<UpdateRun> {
  const previous = JSON.stringify((await updateStatus(service)) ?? null)
  const startedAt = performance.now()
  await docker(['service', 'update', '--detach', ...args, service])
  const states: string[] = []
  const stateAtMs: Record<string, number> = {}
  const final = await waitFor(
    `the update of ${service} to end`,
    async () => {
      const status = await updateStatus(service)
      // Until the manager starts this update, the status is the previous one (or none).
      if (!status || JSON.stringify(status) === previous) return undefined
      if (states.at(-1) !== status.State) {
        states.push(status.State)
        stateAtMs[status.State] ??= performance.now() - startedAt
      }
      return UPDATE_ENDED.includes(status.State) ? status : undefined
    },
    { timeoutMs, intervalMs: 250 },
  )
  return { final, states, stateAtMs, durationMs: performance.now() - startedAt }
}

export const envOf = (task: TaskInfo): readonly string[] => task.Spec.ContainerSpec.Env ?? []
