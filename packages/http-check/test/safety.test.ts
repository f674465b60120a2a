// What http-check must never do, whatever the server, the settings file or the
// config hold: outlive its deadline, let a server write to the terminal, or print
// a secret into `docker inspect` and `kubectl logs`.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  answering,
  assertBuilt,
  freePort,
  httpServer,
  listen,
  runCli,
  START_UP_MS,
  tempDir,
} from './helpers.ts'

beforeAll(assertBuilt)

describe('the deadline covers reading the config', () => {
  it('a FIFO at settings.json fails -c within -t instead of hanging, naming the file', async () => {
    using dir = tempDir()
    execFileSync('mkfifo', [join(dir.path, 'settings.json')])
    const run = await runCli(['-c', 'RNG_API_URL', '-t', '500'], { cwd: dir.path })
    expect(run).toMatchObject({ code: 1, stdout: '' })
    expect(run.stderr).toMatch(
      /^http-check: -c RNG_API_URL: settings file .*settings\.json is not a regular file\n$/,
    )
    expect(run.elapsedMs).toBeLessThan(500 + START_UP_MS)
  })

  it('a FIFO named by SETTINGS_FILE fails the default check within -t', async () => {
    using dir = tempDir()
    const fifo = join(dir.path, 'web.json')
    execFileSync('mkfifo', [fifo])
    const run = await runCli(['-t', '500'], { env: { SETTINGS_FILE: fifo } })
    expect(run).toMatchObject({ code: 1 })
    expect(run.stderr).toContain(`settings file ${fifo} is not a regular file`)
    expect(run.elapsedMs).toBeLessThan(500 + START_UP_MS)
  })

  it('a FIFO given as --cert fails at once instead of hanging', async () => {
    using dir = tempDir()
    const fifo = join(dir.path, 'tls.pem')
    execFileSync('mkfifo', [fifo])
    const run = await runCli(['--cert', fifo, '-t', '500'])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toContain('is not a regular file')
    expect(run.elapsedMs).toBeLessThan(500 + START_UP_MS)
  })
})

describe.concurrent('what a server sends is printed harmlessly', () => {
  /** Answers every connection with these raw bytes. */
  function rawServer(response: string) {
    const server = createNetServer((socket) => {
      socket.once('data', () => socket.end(response, 'latin1'))
    })
    return listen(server, '127.0.0.1')
  }

  it('--verbose escapes control characters in the reason phrase and headers', async () => {
    await using server = await rawServer(
      'HTTP/1.1 200 OK\x1b]0;pwned\x07\x1b[2J\r\nX-Evil: a\x1b[31mred\r\nContent-Length: 2\r\n\r\nOk',
    )
    const run = await runCli(['--verbose', `http://127.0.0.1:${server.port}/`])
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout + run.stderr).not.toContain('\u001b')
    expect(run.stdout + run.stderr).not.toContain('\u0007')
    expect(run.stderr).toContain('< HTTP/1.1 200 OK\\x1b]0;pwned\\x07\\x1b[2J')
    expect(run.stderr).toContain('< X-Evil: a\\x1b[31mred')
  })

  it('a malformed response is a failure value, not a crash', async () => {
    await using server = await rawServer('SSH-2.0-OpenSSH_9.6\r\n\r\n')
    const run = await runCli([`http://127.0.0.1:${server.port}/`])
    expect(run).toMatchObject({ code: 1 })
    expect(run.stdout).toContain('bad response: not an HTTP/1.x status line')
  })
})

describe.concurrent('secrets stay out of the output', () => {
  it('hides user and password of a URL in every line, and still sends them', async () => {
    const seen: (string | undefined)[] = []
    await using server = await httpServer((request, response) => {
      seen.push(request.headers.authorization)
      response.end('Ok')
    })
    const url = `http://admin:hunter2@127.0.0.1:${server.port}/health`
    const run = await runCli(['--verbose', '-u', url])
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toBe(
      `http-check: ok 200 http://***@127.0.0.1:${server.port}/health ${/\d+ms/.exec(run.stdout)?.[0]}\n`,
    )
    expect(run.stdout + run.stderr).not.toContain('hunter2')
    expect(run.stdout + run.stderr).not.toContain('admin')
    expect(seen).toEqual([`Basic ${Buffer.from('admin:hunter2').toString('base64')}`])
  })

  it('hides the password of a URL that fails, and of one that is refused as a usage error', async () => {
    const port = await freePort()
    const failed = await runCli([`http://admin:hunter2@127.0.0.1:${port}/`])
    expect(failed).toMatchObject({ code: 1 })
    expect(failed.stdout).toContain('fail http://***@127.0.0.1')
    const refused = await runCli(['-u', 'ftp://admin:hunter2@example.com/'])
    expect(refused).toMatchObject({ code: 1 })
    expect(refused.stdout + refused.stderr).not.toContain('hunter2')
  })

  it('-c names the key of a value it cannot use, never the value', async () => {
    const run = await runCli(['-c', 'DATABASE_URL'], {
      env: { DATABASE_URL: 'postgres://app:s3cret-pw@db:5432/numbers' },
    })
    expect(run).toMatchObject({ code: 1 })
    expect(run.stderr).toBe(
      'http-check: -c DATABASE_URL must hold an http://, https:// or tcp://HOST:PORT URL (its value is not shown)\n',
    )
  })

  it('-c hides the password of a URL it checks', async () => {
    await using server = await answering(200)
    const run = await runCli(['-c', 'CACHE_URL'], {
      env: { CACHE_URL: `http://user:s3cret-pw@127.0.0.1:${server.port}/health` },
    })
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).not.toContain('s3cret-pw')
  })

  it('-c constructor is refused: Object.prototype is no config', async () => {
    const run = await runCli(['-c', 'constructor'])
    expect(run).toMatchObject({ code: 1, stdout: '' })
    expect(run.stderr).toContain('-c needs a config key such as RNG_API_URL')
    expect(run.stderr).not.toContain('function')
  })

  it('-c reads only own keys of the settings file', async () => {
    using dir = tempDir()
    writeFileSync(
      join(dir.path, 'settings.json'),
      '{"__proto__": {"SECRET_URL": "http://127.0.0.1:1/"}}',
    )
    const run = await runCli(['-c', 'SECRET_URL'], { cwd: dir.path })
    expect(run).toMatchObject({ code: 1 })
    expect(run.stderr).toContain('-c SECRET_URL: no such config key')
  })
})
