// Real servers on ephemeral loopback ports and the built CLI as a real process.
// Servers and processes are AsyncDisposable: `await using server = ...` closes
// them when the test's scope ends, also in concurrent tests and on failure.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer as createHttpServer, type RequestListener } from 'node:http'
import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../../tools/processes.ts'

const packageRoot = fileURLToPath(new URL('../', import.meta.url))
export const cliPath = join(packageRoot, 'dist/cli.js')

export type Listening = AsyncDisposable & {
  readonly port: number
  readonly close: () => Promise<void>
}

/**
 * Listens on `host` (port 0 = any free port); closing also drops the open sockets. A server on
 * ::1 only gets a port free on 127.0.0.1 too: the kernel's choice for ::1 alone can be a port
 * another test's server holds on 127.0.0.1, where a call to `localhost` lands first.
 */
export async function listen(server: Server, host: string, port = 0): Promise<Listening> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  const chosen = host === '::1' && port === 0 ? await freePort('::') : port
  server.listen({ host, port: chosen, ipv6Only: host === '::1' })
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port from the OS')
  let closed: Promise<void> | undefined
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
    return closed
  }
  return { port: address.port, close, [Symbol.asyncDispose]: close }
}

export function httpServer(handler: RequestListener, host = '127.0.0.1', port = 0) {
  return listen(createHttpServer(handler), host, port)
}

/** Answers every request with `status` and a short body. */
export function answering(
  status: number,
  headers: Record<string, string> = {},
  host = '127.0.0.1',
) {
  return httpServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'text/plain', ...headers }).end('Ok')
  }, host)
}

/** Accepts connections and never says a word. */
export function silentServer() {
  return listen(createNetServer(), '127.0.0.1')
}

export { freePort }

/** Whether this machine can listen on ::1 at all (containers may have IPv6 off). */
export async function hasIpv6Loopback(): Promise<boolean> {
  const server = createNetServer()
  try {
    server.listen(0, '::1')
    await once(server, 'listening')
    return true
  } catch {
    return false
  } finally {
    server.close()
  }
}

export type CliRun = {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly elapsedMs: number
}

export type CliOptions = {
  /** Added to a clean environment (PATH and HOME only), so the host's config cannot leak in. */
  readonly env?: Readonly<Record<string, string>>
  /** Working directory; a fresh empty one by default, so no settings.json is found by accident. */
  readonly cwd?: string
  /** Node's own flags before the script, e.g. `--require` of a test-only preload. */
  readonly nodeArgs?: readonly string[]
}

/** A fresh empty directory; `using dir = tempDir()` removes it at the end of the scope. */
export function tempDir(): Disposable & { readonly path: string } {
  const path = mkdtempSync(join(tmpdir(), 'http-check-test-'))
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) }
}

export type CliProcess = AsyncDisposable & {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<CliRun>
}

/** Starts the built CLI; the event loop stays free for the test's own servers. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const started = performance.now()
  const ownDir = options.cwd === undefined ? tempDir() : undefined
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cliPath, ...args], {
    cwd: options.cwd ?? ownDir?.path,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text
  })
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
  })
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      ownDir?.[Symbol.dispose]()
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started })
    })
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited.catch(() => undefined)
  }
  return { child, stdout: () => stdout, stderr: () => stderr, exited, [Symbol.asyncDispose]: stop }
}

export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  await using cli = startCli(args, options)
  return await cli.exited
}

/** Node's own start-up on a busy CI machine, on top of any deadline a test sets. */
export const START_UP_MS = 1500

/** stdout's lines; the contract is exactly one per target. */
export function lines(run: CliRun): string[] {
  return run.stdout.split('\n').filter((line) => line !== '')
}

/** The CLI tests run dist/, so a stale build would test yesterday's code: say so plainly. */
export function assertBuilt(): void {
  const built = (path: string) => {
    try {
      return statSync(path).mtimeMs
    } catch {
      return undefined
    }
  }
  const cli = built(cliPath)
  const sourceDir = join(packageRoot, 'src')
  const sources = readdirSync(sourceDir).map((name) => built(join(sourceDir, name)) ?? 0)
  if (cli === undefined || sources.some((mtime) => mtime > cli)) {
    throw new Error('dist/ is missing or older than src/: run `pnpm --filter http-check... build`')
  }
}

export type Certificate = { readonly cert: string; readonly key: string }

/**
 * A self-signed certificate for `CN=<name>` (also valid for localhost, 127.0.0.1 and
 * ::1) that expires in `days` days, made by openssl in `dir`.
 */
export function makeCertificate(dir: string, name: string, days: number): Certificate {
  const cert = join(dir, `${name}-${days}d.pem`)
  const key = join(dir, `${name}-${days}d.key`)
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      '-days',
      String(days),
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  )
  return { cert, key }
}
