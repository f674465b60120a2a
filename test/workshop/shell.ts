// Runs one command block of the guide the way a reader pastes it into bash: from the repo
// root, `bash -euo pipefail`, with a deadline that kills the block's whole process group.
import { spawn } from 'node:child_process'
import { repoRoot } from '../e2e/support/docker.ts'

export type BlockRun = {
  /** Exit code; null when the block was killed at its deadline. */
  readonly code: number | null
  readonly timedOut: boolean
  readonly stdout: string
  readonly stderr: string
  readonly elapsedMs: number
}

export function runBlock(
  code: string,
  { timeoutMs, env = {} }: { timeoutMs: number; env?: Readonly<Record<string, string>> },
): Promise<BlockRun> {
  const startedAt = performance.now()
  return new Promise((resolve, reject) => {
    // detached: its own process group, so the deadline also ends docker/curl children.
    const child = spawn('bash', ['-euo', 'pipefail', '-c', code], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL')
      } catch {
        // Already gone.
      }
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      resolve({
        code: timedOut ? null : exitCode,
        timedOut,
        stdout,
        stderr,
        elapsedMs: performance.now() - startedAt,
      })
    })
  })
}

/** The last lines of a text, for failure messages. */
export const tail = (text: string, lines = 15): string =>
  text.trimEnd().split('\n').slice(-lines).join('\n')
