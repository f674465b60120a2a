// The built command as Docker runs it: `node dist/cli.js ...` against real
// servers on loopback, judged by exit status and its one line per URL.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../../../tools/wait.ts'
import {
  answering,
  assertBuilt,
  type CliRun,
  cliPath,
  freePort,
  hasIpv6Loopback,
  httpServer,
  lines,
  runCli,
  START_UP_MS,
  silentServer,
  startCli,
  tempDir,
} from './helpers.ts'

const ipv6 = await hasIpv6Loopback()

beforeAll(assertBuilt)

function expectNoStack(run: CliRun) {
  expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
}

describe('start-up cost', () => {
  it('is one CommonJS file that requires nothing but Node built-ins', () => {
    const source = readFileSync(cliPath, 'utf8')
    const required = [...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map(
      (match) => match[1] ?? '',
    )
    expect(required.every((name) => name.startsWith('node:'))).toBe(true)
    expect(source).not.toMatch(/^\s*(import|export)\s/m)
    expect(JSON.parse(readFileSync(join(dirname(cliPath), 'package.json'), 'utf8'))).toEqual({
      type: 'commonjs',
    })
  })

  it('an HTTP check loads node:net and neither node:http, TLS, crypto nor the ES module loader', async () => {
    await using server = await answering(200)
    using dir = tempDir()
    const preload = join(dir.path, 'loaded.cjs')
    // Lists, at exit, the built-in modules loaded after this preload ran.
    writeFileSync(
      preload,
      "const before = new Set(process.moduleLoadList); process.on('exit', () => require('node:fs').writeSync(2, process.moduleLoadList.filter((m) => !before.has(m)).join('\\n')))",
    )
    const run = await runCli([`http://127.0.0.1:${server.port}/health`], {
      nodeArgs: ['--require', preload],
    })
    expect(run).toMatchObject({ code: 0 })
    const loaded = run.stderr.split('\n')
    expect(loaded).toContain('NativeModule net')
    for (const heavy of ['http', '_http_client', 'https', 'tls', 'crypto']) {
      expect(loaded).not.toContain(`NativeModule ${heavy}`)
    }
    expect(loaded.filter((name) => name.includes('modules/esm'))).toEqual([])
  })
})

describe.concurrent('one check', () => {
  it('prints one ok line and exits 0 for a healthy URL', async () => {
    await using server = await answering(200)
    const { port } = server
    const run = await runCli(['-u', `http://127.0.0.1:${port}/health`])
    expect(run).toMatchObject({ code: 0 })
    expect(lines(run)).toHaveLength(1)
    expect(run.stdout).toMatch(
      new RegExp(`^http-check: ok 200 http://127\\.0\\.0\\.1:${port}/health \\d+ms\\n$`),
    )
    expect(run.stderr).toBe('')
  })

  it('exits 1 with "bad status 500" for a 500', async () => {
    await using server = await answering(500)
    const { port } = server
    const run = await runCli([`http://127.0.0.1:${port}/health`])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toMatch(
      /^http-check: fail http:\/\/127\.0\.0\.1:\d+\/health: bad status 500 after \d+ms\n$/,
    )
  })

  it('counts a 302 as healthy without --expect, and does not follow it', async () => {
    const paths: string[] = []
    await using server = await httpServer((request, response) => {
      paths.push(request.url ?? '')
      response.writeHead(302, { location: '/login' }).end()
    })
    const { port } = server
    const run = await runCli(['-u', `http://127.0.0.1:${port}/health`])
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toContain('ok 302')
    expect(paths).toEqual(['/health'])
  })

  it('fails a 302 with --expect 200', async () => {
    await using server = await answering(302, { location: '/login' })
    const { port } = server
    const run = await runCli(['-u', `http://127.0.0.1:${port}/`, '--expect', '200'])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toContain('bad status 302')
  })

  it('accepts a 503 when --expect names it', async () => {
    await using server = await answering(503)
    const { port } = server
    const run = await runCli(['-u', `http://127.0.0.1:${port}/`, '--expect', '200-299,503'])
    expect(run).toMatchObject({ code: 0 })
  })

  it('exits 1 with connect ECONNREFUSED for a port nobody listens on', async () => {
    const port = await freePort()
    const run = await runCli(['-u', `http://127.0.0.1:${port}/health`])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toMatch(
      new RegExp(
        `^http-check: fail http://127\\.0\\.0\\.1:${port}/health: connect ECONNREFUSED 127\\.0\\.0\\.1:${port} after \\d+ms\\n$`,
      ),
    )
    expectNoStack(run)
  })

  it('exits 1 with dns ENOTFOUND for an unknown host', async () => {
    const run = await runCli(['-u', 'http://no-such-host.invalid/health', '-t', '5000'])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toMatch(/: dns (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid after \d+ms\n$/)
  })

  it('tries a failing URL exactly once without --wait', async () => {
    let requests = 0
    await using server = await httpServer((_request, response) => {
      requests++
      response.writeHead(500).end()
    })
    const { port } = server
    expect(await runCli(['-u', `http://127.0.0.1:${port}/`])).toMatchObject({ code: 1 })
    expect(requests).toBe(1)
  })

  it('checks several URLs, one line each, and exits 0 only if all are healthy', async () => {
    await using healthy = await answering(200)
    await using broken = await answering(500)
    const both = [`http://127.0.0.1:${healthy.port}/a`, `http://127.0.0.1:${broken.port}/b`]
    const run = await runCli(['-u', both[0] ?? '', both[1] ?? ''])
    expect(run).toMatchObject({ code: 1 })
    expect(lines(run)).toEqual([
      expect.stringMatching(/^http-check: ok 200 .*\/a \d+ms$/),
      expect.stringMatching(/^http-check: fail .*\/b: bad status 500 after \d+ms$/),
    ])
    const allHealthy = await runCli([both[0] ?? '', both[0] ?? ''])
    expect(allHealthy).toMatchObject({ code: 0 })
    expect(lines(allHealthy)).toHaveLength(2)
  })
})

describe.concurrent('localhost', () => {
  it('works when the server listens on 127.0.0.1 only', async () => {
    await using server = await answering(200, {}, '127.0.0.1')
    const { port } = server
    expect(await runCli([`http://localhost:${port}/health`])).toMatchObject({ code: 0 })
  })

  it.skipIf(!ipv6)('works when the server listens on ::1 only', async () => {
    await using server = await answering(200, {}, '::1')
    const { port } = server
    const run = await runCli([`http://localhost:${port}/health`, '--verbose'])
    expect(run).toMatchObject({ code: 0 })
    expect(run.stderr).toContain(`connected to [::1]:${port}`)
  })

  it.skipIf(!ipv6)('works when the server listens on both', async () => {
    await using server = await answering(200, {}, '::')
    const { port } = server
    expect(await runCli([`http://localhost:${port}/health`])).toMatchObject({ code: 0 })
  })
})

describe.concurrent('URLs from the config', () => {
  it('-c takes the URL from the environment', async () => {
    await using server = await answering(200)
    const { port } = server
    const run = await runCli(['-c', 'RNG_API_URL'], {
      env: { RNG_API_URL: `http://127.0.0.1:${port}/rng` },
    })
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toContain(`ok 200 http://127.0.0.1:${port}/rng`)
  })

  it('-c takes the URL from the settings file SETTINGS_FILE names', async () => {
    await using server = await answering(200)
    const { port } = server
    using dir = tempDir()
    const file = join(dir.path, 'web.json')
    writeFileSync(file, JSON.stringify({ RNG_API_URL: `http://127.0.0.1:${port}/rng` }))
    const run = await runCli(['-c', 'RNG_API_URL'], { env: { SETTINGS_FILE: file } })
    expect(run).toMatchObject({ code: 0 })
  })

  it('-c takes the URL from settings.json in the working directory, the environment winning', async () => {
    await using fromFile = await answering(500)
    await using fromEnv = await answering(200)
    using dir = tempDir()
    const cwd = dir.path
    writeFileSync(
      join(cwd, 'settings.json'),
      JSON.stringify({ RNG_API_URL: `http://127.0.0.1:${fromFile.port}/rng` }),
    )
    const fileOnly = await runCli(['-c', 'RNG_API_URL'], { cwd })
    expect(fileOnly.stdout).toContain(`:${fromFile.port}/rng: bad status 500`)
    const envToo = await runCli(['-c', 'RNG_API_URL'], {
      cwd,
      env: { RNG_API_URL: `http://127.0.0.1:${fromEnv.port}/rng` },
    })
    expect(envToo).toMatchObject({ code: 0 })
  })

  it('-p checks /ready on the origin of the configured /rng URL, never calling /rng', async () => {
    const paths: string[] = []
    await using server = await httpServer((request, response) => {
      paths.push(request.url ?? '')
      response.end('Ready')
    })
    const { port } = server
    const run = await runCli(['-c', 'RNG_API_URL', '-p', '/ready'], {
      env: { RNG_API_URL: `http://127.0.0.1:${port}/rng?x=1` },
    })
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toContain(`ok 200 http://127.0.0.1:${port}/ready`)
    expect(paths).toEqual(['/ready'])
  })

  it('-p replaces the path of -u URLs too, query included', async () => {
    const paths: string[] = []
    await using server = await httpServer((request, response) => {
      paths.push(request.url ?? '')
      response.end('Ok')
    })
    const { port } = server
    await runCli(['-u', `http://127.0.0.1:${port}/rng?n=1`, '-p', '/health?probe=1'])
    expect(paths).toEqual(['/health?probe=1'])
  })

  it('without a URL checks http://localhost:$PORT/health', async () => {
    const paths: string[] = []
    await using server = await httpServer((request, response) => {
      paths.push(request.url ?? '')
      response.end('Ok')
    })
    const { port } = server
    const run = await runCli([], { env: { PORT: String(port) } })
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toContain(`ok 200 http://localhost:${port}/health`)
    expect(paths).toEqual(['/health'])
  })
})

describe.concurrent('usage and config errors', () => {
  const cases: [args: string[], message: string][] = [
    [['-t', 'abc'], '-t needs a whole number of milliseconds 1-600000, got "abc"'],
    [['-t', '0'], '-t needs a whole number of milliseconds 1-600000, got "0"'],
    [['--timeout=1.5'], '-t needs a whole number of milliseconds 1-600000, got "1.5"'],
    [['-t'], '-t, --timeout needs a value'],
    [
      ['--expect', '99'],
      '--expect needs statuses 100-599 like 200,204 or 200-299 or 2xx, got "99"',
    ],
    [['--expect', '2xx,abc'], '--expect needs statuses 100-599'],
    [['--wait', 'soon'], '--wait needs a duration like 5s, 500ms, 2m or plain milliseconds'],
    [['--wait', '0'], '--wait needs a duration'],
    [['--interval', '100'], '--interval needs --wait'],
    [['--wait', '1s', '--interval', 'x'], '--interval needs a whole number of milliseconds'],
    [
      ['-u', 'ftp://example.com/'],
      '-u needs an http://, https:// or tcp:// URL, got "ftp://example.com/"',
    ],
    [['-u', 'not a url'], '-u needs an http://, https:// or tcp:// URL, got "not a url"'],
    [['localhost:80/health'], 'a target argument must be an http://, https:// or tcp:// URL'],
    [['tcp://db'], 'a tcp:// target is tcp://HOST:PORT and nothing else, got "db"'],
    [['tcp://db:5432/x'], 'a tcp:// target is tcp://HOST:PORT and nothing else'],
    [['-H', 'no colon'], "-H needs 'Name: value' without control characters"],
    [['-H', 'X-A: b\u001b[2J'], "-H needs 'Name: value' without control characters"],
    [['-H', 'Content-Length: 5'], '-H cannot set Content-Length: http-check sets it'],
    [['--cert-min-days', '7'], '--cert-min-days needs --cert'],
    [['--cert', 'a.pem', '--cert-min-days', 'x'], '--cert-min-days needs a whole number of days'],
    [['--json', '--quiet'], '--quiet and --json cannot be used together'],
    [['-p', 'ready'], '-p needs a path starting with a single /, got "ready"'],
    [['-p', '//evil.example/x'], '-p needs a path starting with a single /'],
    [
      ['-c', 'not-a-key'],
      '-c needs a config key such as RNG_API_URL (A-Z, 0-9, _), got "not-a-key"',
    ],
    [['-c', 'NO_SUCH_KEY'], '-c NO_SUCH_KEY: no such config key'],
    [['-c', 'PORT'], '-c PORT must hold an http://, https:// or tcp://HOST:PORT URL'],
    [['--quiet', '--verbose'], '--quiet and --verbose cannot be used together'],
    [['--bogus'], 'unknown option --bogus'],
    [['-x'], 'unknown option -x'],
    [['--quiet=yes'], '--quiet takes no value'],
  ]

  it.each(cases)('%j exits 1 with one line naming the problem', async (args, message) => {
    const run = await runCli(args)
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^http-check: [^\n]+\n$/)
    expect(run.stderr).toContain(message)
  })

  it('a PORT that is not a port is a config error naming PORT', async () => {
    const run = await runCli([], { env: { PORT: 'eighty' } })
    expect(run).toMatchObject({ code: 1 })
    expect(run.stderr).toMatch(
      /^http-check: PORT must be an integer 1-65535, got "eighty"[^\n]*\n$/,
    )
  })

  it('a missing SETTINGS_FILE is a config error naming the flag and the file', async () => {
    const run = await runCli(['-c', 'RNG_API_URL'], {
      env: { SETTINGS_FILE: '/no/such/settings.json' },
    })
    expect(run).toMatchObject({ code: 1 })
    expect(run.stderr).toBe(
      'http-check: -c RNG_API_URL: settings file /no/such/settings.json cannot be read (ENOENT)\n',
    )
  })
})

describe.concurrent('output modes', () => {
  it('--quiet prints nothing and still exits 1 on failure', async () => {
    const port = await freePort()
    const run = await runCli(['--quiet', '-u', `http://127.0.0.1:${port}/`])
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: '' })
  })

  it('--verbose adds the address, headers and timings on stderr, still one line on stdout', async () => {
    await using server = await answering(200, { 'x-served-by': 'test' })
    const { port } = server
    const run = await runCli(['--verbose', '-u', `http://127.0.0.1:${port}/health`])
    expect(run).toMatchObject({ code: 0 })
    expect(lines(run)).toHaveLength(1)
    expect(run.stderr).toContain(`connected to 127.0.0.1:${port} in`)
    expect(run.stderr).toContain('< x-served-by: test')
    expect(run.stderr).toMatch(/headers after [\d.]+ms, 2 body bytes read/)
  })

  it('--help prints the usage and exits 0', async () => {
    const run = await runCli(['--help'])
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toMatch(/^Usage: http-check \[options\] \[TARGET \.\.\.\]/)
  })

  it('--version prints the version and exits 0', async () => {
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: '1.0.0\n' })
  })
})

// Deadlines are measured against wall time, so these run one at a time: a
// concurrent test's spawn can stall this process's event loop (and its servers).
describe('deadlines and wait mode', () => {
  it('gives up at -t 300 on a server that accepts and never answers', async () => {
    await using server = await silentServer()
    const { port } = server
    const run = await runCli(['-t', '300', '-u', `http://127.0.0.1:${port}/health`])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toBe(
      `http-check: fail http://127.0.0.1:${port}/health: timeout after 300 ms waiting for response headers\n`,
    )
    expect(run.elapsedMs).toBeGreaterThanOrEqual(300)
    expect(run.elapsedMs).toBeLessThan(300 + START_UP_MS)
  })

  it('gives up at -t when the body stalls after the headers', async () => {
    await using server = await httpServer((_request, response) => {
      response.writeHead(200, { 'content-length': '1000' })
      response.write('Ok')
    })
    const { port } = server
    const run = await runCli(['-t', '1000', '-u', `http://127.0.0.1:${port}/health`])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toContain('timeout after 1000 ms reading the body')
    expect(run.elapsedMs).toBeLessThan(1000 + START_UP_MS)
  })

  it('waits for a server that starts late, then exits 0', async () => {
    const port = await freePort()
    await using cli = startCli([
      '--wait',
      '10s',
      '--interval',
      '50',
      '-u',
      `http://127.0.0.1:${port}/ready`,
    ])
    await waitUntil(() => cli.stderr().includes('attempt 2 fail'), { what: 'two failed attempts' })
    expect(cli.stderr()).toMatch(
      /^http-check: attempt 1 fail .*: connect ECONNREFUSED .* after \d+ms; next in 50ms\n/,
    )
    await using late = await httpServer(
      (_request, response) => response.end('Ready'),
      '127.0.0.1',
      port,
    )
    const run = await cli.exited
    expect(late.port).toBe(port)
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toMatch(
      /^http-check: ok 200 http:\/\/127\.0\.0\.1:\d+\/ready \d+ms \(attempt \d+\)\n$/,
    )
  })

  it('gives up at the --wait deadline with exit 1 and one final line', async () => {
    const port = await freePort()
    const run = await runCli(['--wait', '600ms', '--interval', '50', `http://127.0.0.1:${port}/`])
    expect(run).toMatchObject({ code: 1 })
    expect(lines(run)).toEqual([
      expect.stringMatching(/: connect ECONNREFUSED .* \(gave up after \d+ attempts in 600ms\)$/),
    ])
    expect(run.elapsedMs).toBeGreaterThanOrEqual(600)
    expect(run.elapsedMs).toBeLessThan(600 + START_UP_MS)
  })

  it('backs off: pauses double from --interval', async () => {
    const port = await freePort()
    await using cli = startCli(['--wait', '10s', '--interval', '50', `http://127.0.0.1:${port}/`])
    const pauses = () =>
      [...cli.stderr().matchAll(/next in (\d+)ms/g)].map((match) => Number(match[1]))
    await waitUntil(() => pauses().length >= 4, { what: 'four failed attempts' })
    expect(pauses().slice(0, 4)).toEqual([50, 100, 200, 400])
  })

  it('stops at once on SIGTERM, exit 1, with a line saying so', async () => {
    const port = await freePort()
    await using cli = startCli(['--wait', '30s', '-u', `http://127.0.0.1:${port}/`])
    await waitUntil(() => cli.stderr().includes('attempt 1 fail'), { what: 'a failed attempt' })
    const signalled = performance.now()
    cli.child.kill('SIGTERM')
    const run = await cli.exited
    expect(run).toMatchObject({ code: 1 })
    expect(performance.now() - signalled).toBeLessThan(1000)
    expect(run.stdout).toMatch(
      /^http-check: fail http:\/\/127\.0\.0\.1:\d+\/: interrupted by SIGTERM after \d+ms\n$/,
    )
  })
})
