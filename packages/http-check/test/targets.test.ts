// The target kinds beyond one HTTP URL, as Docker runs the built command:
// tcp://, --cert, --file, https options, several targets under one deadline,
// --wait for what comes up late, and --json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../../../tools/wait.ts'
import {
  answering,
  assertBuilt,
  freePort,
  hasIpv6Loopback,
  httpServer,
  lines,
  listen,
  makeCertificate,
  runCli,
  START_UP_MS,
  startCli,
  tempDir,
} from './helpers.ts'

const ipv6 = await hasIpv6Loopback()
const lateDns = fileURLToPath(new URL('./fixtures/late-dns.cjs', import.meta.url))

beforeAll(assertBuilt)

describe.concurrent('tcp://', () => {
  it('passes when a TCP connection opens', async () => {
    await using server = await listen(createNetServer(), '127.0.0.1')
    const run = await runCli([`tcp://127.0.0.1:${server.port}`])
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toMatch(
      new RegExp(`^http-check: ok tcp://127\\.0\\.0\\.1:${server.port} \\d+ms\\n$`),
    )
  })

  it('fails with connect ECONNREFUSED when nothing listens', async () => {
    const port = await freePort()
    const run = await runCli([`tcp://127.0.0.1:${port}`])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toContain(
      `fail tcp://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    )
  })

  it.skipIf(!ipv6)('reaches a listener on ::1 only through localhost', async () => {
    await using server = await listen(createNetServer(), '::1')
    const run = await runCli([`tcp://localhost:${server.port}`, '--verbose'])
    expect(run).toMatchObject({ code: 0 })
    expect(run.stderr).toContain(`connected to [::1]:${server.port}`)
  })
})

describe.concurrent('--cert and --file', () => {
  it('fails a certificate that expires in 3 days under --cert-min-days 7, naming it', async () => {
    using dir = tempDir()
    const { cert } = makeCertificate(dir.path, 'numbers-soon', 3)
    const run = await runCli(['--cert', cert, '--cert-min-days', '7'])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toMatch(
      /^http-check: fail cert .*numbers-soon-3d\.pem: CN=numbers-soon expires in 2 days \(\d{4}-\d\d-\d\d\), fewer than --cert-min-days 7 after \d+ms\n$/,
    )
  })

  it('passes a certificate valid for 30 more days, with its subject and days left', async () => {
    using dir = tempDir()
    const { cert } = makeCertificate(dir.path, 'numbers-fine', 30)
    const run = await runCli(['--cert', cert])
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toMatch(
      /^http-check: ok cert .*\.pem \d+ms \(CN=numbers-fine, 29 days left\)\n$/,
    )
  })

  it('fails a file with no certificate in it', async () => {
    using dir = tempDir()
    const path = join(dir.path, 'empty.pem')
    writeFileSync(path, 'not a certificate\n')
    const run = await runCli(['--cert', path])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toContain('no PEM certificate in the file')
  })

  it('checks only the certificate when it is the only target, not the default URL', async () => {
    using dir = tempDir()
    const { cert } = makeCertificate(dir.path, 'numbers-alone', 30)
    const port = await freePort()
    const run = await runCli(['--cert', cert], { env: { PORT: String(port) } })
    expect(run).toMatchObject({ code: 0 })
    expect(lines(run)).toHaveLength(1)
  })

  it('--file passes for a readable file and fails for a missing one', async () => {
    using dir = tempDir()
    const present = join(dir.path, 'db-password')
    writeFileSync(present, 'x')
    const missing = join(dir.path, 'absent')
    const run = await runCli(['--file', present, '--file', missing])
    expect(run).toMatchObject({ code: 1 })
    expect(lines(run)).toEqual([
      expect.stringMatching(/^http-check: ok file .*db-password \d+ms$/),
      expect.stringMatching(/^http-check: fail file .*absent: ENOENT no such file after \d+ms$/),
    ])
  })
})

describe.concurrent('https and headers', () => {
  async function httpsServer(certificate: { cert: string; key: string }) {
    const server = createHttpsServer(
      { cert: readFileSync(certificate.cert), key: readFileSync(certificate.key) },
      (_request, response) => response.end('Ok'),
    )
    return listen(server, '127.0.0.1')
  }

  it('trusts a self-signed server with --cacert, refuses it without', async () => {
    using dir = tempDir()
    const certificate = makeCertificate(dir.path, 'localhost', 30)
    await using server = await httpsServer(certificate)
    const url = `https://localhost:${server.port}/health`
    const trusted = await runCli(['--cacert', certificate.cert, url])
    expect(trusted).toMatchObject({ code: 0 })
    expect(trusted.stdout).toContain(`ok 200 ${url}`)
    const untrusted = await runCli([url])
    expect(untrusted).toMatchObject({ code: 1 })
    expect(untrusted.stdout).toMatch(/: tls \S+: self[- ]signed certificate/)
  })

  it('accepts any certificate with --insecure', async () => {
    using dir = tempDir()
    await using server = await httpsServer(makeCertificate(dir.path, 'elsewhere', 30))
    const run = await runCli(['--insecure', `https://127.0.0.1:${server.port}/`])
    expect(run).toMatchObject({ code: 0 })
  })

  it('sends every -H header', async () => {
    const seen: (string | undefined)[] = []
    await using server = await httpServer((request, response) => {
      seen.push(String(request.headers['x-probe']), request.headers['user-agent'])
      response.end('Ok')
    })
    const run = await runCli([
      '-H',
      'X-Probe: docker',
      '--header=User-Agent: kube-probe/1.31',
      `http://127.0.0.1:${server.port}/`,
    ])
    expect(run).toMatchObject({ code: 0 })
    expect(seen).toEqual(['docker', 'kube-probe/1.31'])
  })

  it('ignores HTTP_PROXY and HTTPS_PROXY: the check talks to its target', async () => {
    let proxied = 0
    await using proxy = await httpServer((_request, response) => {
      proxied++
      response.writeHead(502).end()
    })
    await using server = await answering(200)
    const proxyUrl = `http://127.0.0.1:${proxy.port}`
    const run = await runCli([`http://127.0.0.1:${server.port}/health`], {
      env: { HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: '' },
    })
    expect(run).toMatchObject({ code: 0 })
    expect(proxied).toBe(0)
  })
})

describe.concurrent('several targets', () => {
  it('checks all targets at once: a slow one does not hold up the others', async () => {
    let fastAsked = false
    await using slow = await httpServer(async (_request, response) => {
      // Answers only once the next target was asked: one at a time would never get there.
      await waitUntil(() => fastAsked, { what: 'the fast target asked', timeoutMs: 4000 })
      response.end('Ok')
    })
    await using fast = await httpServer((_request, response) => {
      fastAsked = true
      response.end('Ok')
    })
    await using db = await listen(createNetServer(), '127.0.0.1')
    const run = await runCli([
      '-t',
      '5000',
      `http://127.0.0.1:${slow.port}/slow`,
      `http://127.0.0.1:${fast.port}/fast`,
      `tcp://127.0.0.1:${db.port}`,
    ])
    expect(run).toMatchObject({ code: 0 })
    expect(lines(run)).toEqual([
      expect.stringMatching(/ok 200 .*\/slow /),
      expect.stringMatching(/ok 200 .*\/fast /),
      expect.stringMatching(/ok tcp:\/\//),
    ])
  })

  it('prints one line per target in the order given, whatever their kinds', async () => {
    using dir = tempDir()
    const { cert } = makeCertificate(dir.path, 'numbers-order', 30)
    await using server = await answering(200)
    const dead = await freePort()
    const run = await runCli(
      ['--cert', cert, `tcp://127.0.0.1:${dead}`, '-c', 'RNG_API_URL', '--file', cert],
      { env: { RNG_API_URL: `http://127.0.0.1:${server.port}/rng` } },
    )
    expect(run).toMatchObject({ code: 1 })
    expect(lines(run).map((line) => line.split(' ').slice(1, 3).join(' '))).toEqual([
      'ok cert',
      `fail tcp://127.0.0.1:${dead}:`,
      'ok 200',
      'ok file',
    ])
  })

  it('--json prints one parseable object per target', async () => {
    await using server = await answering(200)
    const dead = await freePort()
    const run = await runCli([
      '--json',
      `http://127.0.0.1:${server.port}/health`,
      `tcp://127.0.0.1:${dead}`,
    ])
    expect(run).toMatchObject({ code: 1 })
    const objects = lines(run).map((line) => JSON.parse(line))
    expect(objects).toEqual([
      {
        target: `http://127.0.0.1:${server.port}/health`,
        ok: true,
        status: 200,
        ms: expect.any(Number),
      },
      {
        target: `tcp://127.0.0.1:${dead}`,
        ok: false,
        code: 'ECONNREFUSED',
        error: `connect ECONNREFUSED 127.0.0.1:${dead}`,
        ms: expect.any(Number),
      },
    ])
  })
})

// Wall-time bound: one at a time.
describe('--wait for what comes up late', () => {
  it('waits for a TCP port that opens late, then exits 0', async () => {
    const port = await freePort()
    await using cli = startCli(['--wait', '10s', '--interval', '50', `tcp://127.0.0.1:${port}`])
    await waitUntil(() => cli.stderr().includes('attempt 2 fail'), { what: 'two failed attempts' })
    await using late = await listen(createNetServer(), '127.0.0.1', port)
    const run = await cli.exited
    expect(late.port).toBe(port)
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toMatch(/^http-check: ok tcp:\/\/127\.0\.0\.1:\d+ \d+ms \(attempt \d+\)\n$/)
    expect(run.stderr).toMatch(
      /http-check: ready after \d+ms, the last was tcp:\/\/127\.0\.0\.1:\d+ \(attempt \d+\)\n$/,
    )
  })

  it('waits for a name that starts resolving late (ENOTFOUND is "not yet")', async () => {
    await using server = await answering(200)
    using dir = tempDir()
    const ready = join(dir.path, 'resolves')
    await using cli = startCli(
      ['--wait', '10s', '--interval', '50', `http://late.test:${server.port}/ready`],
      {
        nodeArgs: ['--require', lateDns],
        env: { LATE_DNS_READY: ready },
      },
    )
    await waitUntil(() => cli.stderr().includes('attempt 2 fail'), { what: 'two failed attempts' })
    expect(cli.stderr()).toContain('dns ENOTFOUND late.test')
    writeFileSync(ready, '')
    const run = await cli.exited
    expect(existsSync(ready)).toBe(true)
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toMatch(
      /^http-check: ok 200 http:\/\/late\.test:\d+\/ready \d+ms \(attempt \d+\)\n$/,
    )
  })

  it('retries a 5xx, and the last line names the target that held the wait up', async () => {
    await using healthy = await answering(200)
    await using starting = await answering(503)
    const run = await runCli([
      '--wait',
      '600ms',
      '--interval',
      '50',
      `http://127.0.0.1:${healthy.port}/a`,
      `http://127.0.0.1:${starting.port}/b`,
    ])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stderr).toContain('attempt 2 fail')
    expect(run.stderr).toMatch(
      new RegExp(
        `http-check: not ready after \\d+ms, held up by http://127\\.0\\.0\\.1:${starting.port}/b\\n$`,
      ),
    )
    expect(run.elapsedMs).toBeLessThan(600 + START_UP_MS)
  })
})
