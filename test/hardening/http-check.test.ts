// http-check's command-line contract under random input (fast-check), as Docker runs it:
// the built dist/cli.js as a process. Whatever the arguments, it exits 0 or 1, never prints
// a stack, never outlives its deadline, and says exactly what its own parser decided: a
// usage error is one line on stderr, a check is one line per URL on stdout.
// Every URL it may reach is on loopback: generated hosts are loopback only, and any argument
// that would name another host is dropped before the CLI sees it.
import { createServer, type Server } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCommandLine, usage } from '../../packages/http-check/src/args.ts'
import { VERSION } from '../../packages/http-check/src/http.ts'
import {
  assertBuilt,
  type CliRun,
  freePort,
  runCli,
} from '../../packages/http-check/test/helpers.ts'

/** Node's own start-up on a busy CI machine, on top of the deadline the command line sets. */
const START_UP_MS = 1500
/** Each run is one node process (~100-250 ms on a 2-core machine): 85 in all. */
const RUNS = { flags: 40, garbage: 15, numbers: 15, urls: 15 }
/** A generous ceiling per property: its runs, a few of them waiting up to a second. */
const PROPERTY_TIMEOUT_MS = 60_000

let server: Server
let live = 0
let dead = 0
let commandLines = 0

beforeAll(async () => {
  assertBuilt()
  // Answers /status/NNN with NNN, anything else with 200.
  server = createServer((request, response) => {
    const status = Number(/^\/status\/(\d{3})/.exec(request.url ?? '')?.[1] ?? 200)
    response.writeHead(status >= 200 && status <= 599 ? status : 200).end('Ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  live = address.port
  dead = await freePort()
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  console.log(`hardening: ${commandLines} random http-check command lines run`)
})

// ---------------------------------------------------------------- the network rule

const loopbackHost = /^(127(\.\d{1,3}){3}|\[::1\]|localhost|.+\.localhost)$/i

/** Whatever the CLI might read as a URL (a whole argument, `-uURL`, `--url=URL`) is loopback. */
function staysOnLoopback(args: readonly string[]): boolean {
  for (const arg of args) {
    const candidates = [arg, arg.slice(2), arg.slice(arg.indexOf('=') + 1)]
    for (const text of candidates) {
      const url = URL.parse(text)
      if (url && /^https?:$/.test(url.protocol) && !loopbackHost.test(url.hostname)) return false
      // -p must not move a check to another host (the CLI refuses it too; this is belt and braces).
      const moved = URL.parse(text, 'http://127.0.0.1/')
      if (moved && moved.hostname !== '127.0.0.1' && !loopbackHost.test(moved.hostname)) {
        return false
      }
    }
  }
  return true
}

// ---------------------------------------------------------------- generators

/** Any text an argument can hold: full Unicode, well-formed, without NUL (argv cannot). */
const garbage = fc
  .string({ unit: 'binary', maxLength: 40 })
  .map((text) => text.toWellFormed().replaceAll('\u0000', ''))

const numberish = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.constantFrom('0', '1', '50', '600000', '600001', '1.5', '1e3', ' 5', '', '٣', 'NaN', '-0'),
  garbage,
)

/** Valid durations stay short (a wait on a dead port lasts all of it); invalid ones are anything. */
const duration = fc.oneof(
  fc.constantFrom('1', '150', '200ms', '0.3s', '0.5s', '1s'),
  fc.constantFrom('0', '-1', '1e3', '61m', '3600001', '5h', '', '1.5.5s', 'Infinity'),
  garbage,
)

const path = fc.oneof(
  fc.webPath(),
  fc.constantFrom('/health', '/status/503', '/status/204', '/status/302', '//x', '/\\x', 'x'),
  garbage,
)

const loopbackUrl = fc
  .tuple(
    fc.constantFrom('http', 'https', 'HTTP', 'ftp'),
    fc.constantFrom('127.0.0.1', 'localhost', '[::1]', '127.0.0.2', 'a.localhost', '127.1'),
    fc.constantFrom('live', 'dead', 'none', 'zero', 'huge'),
    fc.oneof(fc.webPath(), fc.constantFrom('/status/500', '/status/404', '/health?x=%zz', '')),
  )
  .map(([scheme, host, which, urlPath]) => {
    const port = { live: `:${live}`, dead: `:${dead}`, none: '', zero: ':0', huge: ':99999' }[which]
    // No port means 80, where a stray loopback server may listen: only ever the dead port there.
    return `${scheme}://${host}${which === 'none' ? `:${dead}` : port}${urlPath}`
  })

const flag = fc.oneof(
  loopbackUrl.map((url) => [url]),
  loopbackUrl.map((url) => ['-u', url]),
  loopbackUrl.map((url) => [`--url=${url}`]),
  garbage.map((text) => ['-u', text]),
  numberish.map((value) => ['-t', value]),
  numberish.map((value) => ['--timeout', value]),
  numberish.map((value) => ['--interval', value]),
  duration.map((value) => ['--wait', value]),
  fc
    .oneof(
      fc.constantFrom('200', '2xx', '200-299', '200,204', '5xx', '600', '299-200', '', 'x'),
      garbage,
    )
    .map((value) => ['--expect', value]),
  path.map((value) => ['-p', value]),
  fc
    .oneof(
      fc.constantFrom('RNG_API_URL', 'PORT', 'HOST', 'NO_SUCH_KEY', 'PATH', '1BAD', ''),
      garbage,
    )
    .map((key) => ['-c', key]),
  fc.constantFrom(['--quiet'], ['--verbose'], ['-h'], ['--help'], ['--version'], ['--']),
  fc.constantFrom(['--nope'], ['-x'], ['--timeout'], ['-u'], ['--quiet=yes'], ['-'], ['--wait']),
  garbage.map((text) => [text]),
)

/** A few flags in any order, possibly cut short so the last one lacks its value. */
const commandLine = fc
  .tuple(fc.array(flag, { maxLength: 5 }), fc.boolean())
  .map(([flags, cut]) => {
    const args = flags.flat()
    return cut && args.length > 0 ? args.slice(0, -1) : args
  })
  .filter(staysOnLoopback)

// ---------------------------------------------------------------- the contract

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '')
}

async function run(args: readonly string[]): Promise<{ run: CliRun; budgetMs: number }> {
  commandLines += 1
  const command = parseCommandLine(args)
  const budgetMs =
    command.kind === 'check' ? (command.waitMs ?? command.timeoutMs) + START_UP_MS : START_UP_MS
  const result = await runCli(args, {
    // The app's own settings, both on loopback: a check with no URL asks PORT, -c reads the key.
    env: { PORT: String(dead), RNG_API_URL: `http://127.0.0.1:${live}/rng` },
  })
  return { run: result, budgetMs }
}

/** What the CLI's own parser says this command line means, checked against the process. */
async function holdsTheContract(args: readonly string[]): Promise<void> {
  const { run: result, budgetMs } = await run(args)
  const context = JSON.stringify({ args, ...result })
  expect([0, 1], context).toContain(result.code)
  expect(result.stdout + result.stderr, context).not.toMatch(/\n\s+at |internal error/)
  expect(result.elapsedMs, context).toBeLessThan(budgetMs)

  const command = parseCommandLine(args)
  switch (command.kind) {
    case 'usage-error':
      expect(result, context).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `http-check: ${command.message}\n`,
      })
      return
    case 'help':
      expect(result, context).toMatchObject({ code: 0, stdout: `${usage}\n`, stderr: '' })
      return
    case 'version':
      expect(result, context).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' })
      return
    case 'check': {
      for (const line of lines(result.stderr)) expect(line, context).toMatch(/^http-check: /)
      const out = lines(result.stdout)
      if (out.length === 0 && result.code === 1 && lines(result.stderr).length === 1) {
        // A target that cannot be read (-c with no such key, a bad PORT): one line on stderr.
        return
      }
      if (command.verbosity === 'quiet') {
        expect(result.stdout, context).toBe('')
        return
      }
      expect(out, context).toHaveLength(command.targets.length || 1)
      for (const line of out) expect(line, context).toMatch(/^http-check: (ok \d{3} |fail )/)
      expect(result.code, context).toBe(
        out.every((line) => line.startsWith('http-check: ok')) ? 0 : 1,
      )
    }
  }
}

describe.concurrent('http-check under random command lines', () => {
  it(
    'random flags, values and loopback URLs',
    async () => {
      await fc.assert(fc.asyncProperty(commandLine, holdsTheContract), { numRuns: RUNS.flags })
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'arguments of pure garbage',
    async () => {
      const args = fc.array(garbage, { maxLength: 4 }).filter(staysOnLoopback)
      await fc.assert(fc.asyncProperty(args, holdsTheContract), { numRuns: RUNS.garbage })
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'huge, negative and non-ASCII numbers for every numeric flag',
    async () => {
      const args = fc
        .tuple(
          fc.constantFrom('-t', '--timeout', '--interval', '--wait', '--expect'),
          numberish,
          fc.constantFrom(`http://127.0.0.1:${dead}/`, `http://localhost:${live}/`),
        )
        .map(([name, value, url]) => {
          // A valid --wait on the dead port lasts all of it: keep it at a millisecond.
          if (name === '--wait') return [name, /^\d+$/.test(value) ? '1' : value, url]
          if (name === '--interval') return ['--wait', '1', name, value, url]
          return [name, value, url]
        })
        .filter(staysOnLoopback)
      await fc.assert(fc.asyncProperty(args, holdsTheContract), { numRuns: RUNS.numbers })
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'random loopback URLs: the live test server, a port nobody listens on, bad schemes',
    async () => {
      const args = fc.array(loopbackUrl, { minLength: 1, maxLength: 3 }).filter(staysOnLoopback)
      await fc.assert(fc.asyncProperty(args, holdsTheContract), { numRuns: RUNS.urls })
    },
    PROPERTY_TIMEOUT_MS,
  )
})

describe('http-check -p never moves a check to another host', () => {
  // 127.0.0.2 is loopback too: were the path to win, the check would still stay on this machine.
  it.each(['/\\127.0.0.2:9/x', '/\t/127.0.0.2:9/x', '/\n/127.0.0.2:9', '//127.0.0.2:9/x'])(
    '-p %j is a usage error',
    async (text) => {
      const { run: result } = await run(['-u', `http://127.0.0.1:${live}/`, '-p', text])
      expect(result).toMatchObject({ code: 1, stdout: '' })
      expect(result.stderr).toMatch(/^http-check: -p needs a path starting with a single \//)
    },
  )
})
