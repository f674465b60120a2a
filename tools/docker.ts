// The Docker CLI for tests and benchmarks: run a command with a deadline, name what a run
// creates so nothing collides, and drive a Compose project.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

export const repoRoot = join(import.meta.dirname, '..')

export type CommandResult = {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export type CommandOptions = {
  readonly env?: Readonly<Record<string, string>>
  readonly timeoutMs?: number
  /** Resolve with the non-zero exit instead of throwing. */
  readonly allowFailure?: boolean
}

export function run(
  command: string,
  args: readonly string[],
  { env, timeoutMs = 120_000, allowFailure = false }: CommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        if (error && !allowFailure) {
          const output = `${stderr}\n${stdout}`.trim().split('\n').slice(-30).join('\n')
          reject(new Error(`${command} ${args.join(' ')} failed (${error.message}):\n${output}`))
          return
        }
        resolve({ code, stdout, stderr })
      },
    )
  })
}

export const docker = (args: readonly string[], options?: CommandOptions) =>
  run('docker', args, options)

/** Whether a Docker engine answers (the benchmarks that need one skip without it). */
export async function hasDocker(): Promise<boolean> {
  return (await docker(['info'], { allowFailure: true, timeoutMs: 10_000 })).code === 0
}

/** A name no other test, run or user has: `e2e-<label>-<random>`. */
export function uniqueName(label: string): string {
  return `e2e-${label}-${randomBytes(4).toString('hex')}`
}

export type ComposeProject = {
  readonly name: string
  readonly files: readonly string[]
  readonly env: Readonly<Record<string, string>>
}

export function compose(project: ComposeProject, args: readonly string[]) {
  return docker(
    ['compose', '-p', project.name, ...project.files.flatMap((file) => ['-f', file]), ...args],
    { env: project.env, timeoutMs: 180_000 },
  )
}

/** `docker run` flags for docker-compose.yml's hardening: read-only root, no capabilities. */
export const HARDENED_RUN_FLAGS = [
  '--read-only',
  '--tmpfs',
  '/tmp:size=16m',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges:true',
] as const
