// What one command costs, run to its end as a HEALTHCHECK runs it: wall time from
// spawn to exit, and peak RSS from a separate run under a wrapper.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const GNU_TIME = '/usr/bin/time'

export type Tool = { readonly tool: string; readonly argv: readonly string[] }

type RssProbe = { readonly name: string; readonly wrap: (argv: readonly string[]) => string[] }

/** Undefined when the tool runs; else why not (not installed, or it fails against the server). */
export async function whyUnusable(argv: readonly string[]): Promise<string | undefined> {
  try {
    const { status } = await runTo(argv)
    if (status !== 0) return `\`${commandLine(argv)}\` exited ${status}`
    return undefined
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ENOENT' ? `${argv[0]} is not installed` : `${argv[0]} failed (${code})`
  }
}

/** Wall time of one run, spawn to exit, with stdout and stderr piped as Docker's HEALTHCHECK does. */
export async function timeRun(tool: Tool): Promise<number> {
  const started = process.hrtime.bigint()
  const { status } = await runTo(tool.argv)
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6
  if (status !== 0) throw new Error(`${commandLine(tool.argv)} exited ${status}`)
  return elapsedMs
}

/**
 * Peak RSS comes from a separate run under a wrapper, so the wrapper's own
 * start-up never counts in the wall times: GNU time's %M, else Python's
 * getrusage of its child, else none.
 */
export function rssProbe(): RssProbe | undefined {
  if (existsSync(GNU_TIME)) {
    return { name: 'GNU time', wrap: (argv) => [GNU_TIME, '-f', 'maxrss %M', '--', ...argv] }
  }
  const python = spawnSync('python3', ['-c', 'pass'], { stdio: 'ignore' })
  if (python.status === 0) {
    const script =
      'import resource,subprocess,sys; subprocess.run(sys.argv[1:]);' +
      ' print("maxrss", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)'
    return { name: 'python3 getrusage', wrap: (argv) => ['python3', '-c', script, ...argv] }
  }
  return undefined
}

export async function peakRssKb(probe: RssProbe, tool: Tool): Promise<number> {
  const { stderr } = await runTo(probe.wrap(tool.argv))
  const match = /maxrss (\d+)/.exec(stderr)
  if (match === null) throw new Error(`${probe.name} gave no max RSS for ${tool.tool}: ${stderr}`)
  return Number(match[1])
}

/** Runs argv to its end; the event loop stays free, so the server in this process can answer. */
function runTo(argv: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  const [file = '', ...args] = argv
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 })
    let stderr = ''
    child.stdout.resume()
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
    })
    child.once('error', reject)
    child.once('close', (status) => resolve({ status, stderr }))
  })
}

/** argv as a person would type it: `node` for this Node. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((part) => (part === process.execPath ? 'node' : part)).join(' ')
}
