// The library the web reuses: check() against real sockets, and its words.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { type CheckResult, check, formatResult, parseExpect, VERSION } from '../src/check.ts'
import { MAX_BODY_BYTES } from '../src/http-response.ts'
import { describeExpect, isExpected } from '../src/status.ts'
import {
  answering,
  freePort,
  hasIpv6Loopback,
  httpServer,
  listen,
  silentServer,
} from './helpers.ts'

const ipv6 = await hasIpv6Loopback()

function failure(result: CheckResult) {
  if (result.ok) throw new Error(`expected a failure, got ${formatResult(result)}`)
  return result
}

describe('check()', () => {
  it('finds a 200 healthy and says which address answered, and when', async () => {
    await using server = await answering(200)
    const { port } = server
    const result = await check(`http://127.0.0.1:${port}/health`)
    expect(result).toMatchObject({ ok: true, status: 200, remoteAddress: `127.0.0.1:${port}` })
    expect(result.timings.connectMs).toBeGreaterThanOrEqual(0)
    expect(result.timings.headersMs).toBeGreaterThanOrEqual(result.timings.connectMs ?? 0)
    expect(result.response?.bodyBytes).toBe(2)
  })

  it('fails a 500 with "bad status 500" and keeps the status', async () => {
    await using server = await answering(500)
    const { port } = server
    const result = failure(await check(`http://127.0.0.1:${port}/health`))
    expect(result).toMatchObject({ code: 'BAD_STATUS', reason: 'bad status 500', status: 500 })
  })

  it('says why a failed answer failed: the problem+json detail, chunked or not', async () => {
    const detail = 'Unhealthy: BROKEN is set (a bad release); it stays so until it restarts.'
    const body = JSON.stringify({ type: 'urn:x', title: 'Service unhealthy', status: 500, detail })
    for (const framing of ['content-length', 'chunked'] as const) {
      await using server = await httpServer((_request, response) => {
        response.writeHead(500, {
          'content-type': 'application/problem+json; charset=utf-8',
          ...(framing === 'content-length' ? { 'content-length': Buffer.byteLength(body) } : {}),
        })
        response.end(body)
      })
      const result = failure(await check(`http://127.0.0.1:${server.port}/health`))
      expect(result, framing).toMatchObject({
        code: 'BAD_STATUS',
        status: 500,
        reason: `bad status 500: ${detail}`,
      })
    }
  })

  it('quotes no more than 200 characters of a detail, and no body that is not JSON', async () => {
    await using long = await httpServer((_request, response) => {
      response
        .writeHead(503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ detail: 'x'.repeat(1000) }))
    })
    const cut = failure(await check(`http://127.0.0.1:${long.port}/`))
    expect(cut.reason).toBe(`bad status 503: ${'x'.repeat(199)}…`)
    await using html = await httpServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>')
    })
    expect(failure(await check(`http://127.0.0.1:${html.port}/`)).reason).toBe('bad status 502')
  })

  it('does not follow a redirect and counts a 302 as healthy by default', async () => {
    await using server = await answering(302, { location: 'http://127.0.0.1:1/elsewhere' })
    const { port } = server
    expect(await check(`http://127.0.0.1:${port}/`)).toMatchObject({ ok: true, status: 302 })
  })

  it('fails a 302 when only 2xx is expected', async () => {
    await using server = await answering(302, { location: '/login' })
    const { port } = server
    const result = await check(`http://127.0.0.1:${port}/`, { expect: parseExpect('2xx') ?? [] })
    expect(failure(result).reason).toBe('bad status 302')
  })

  it('returns a refused connection as a value naming the address, never throwing', async () => {
    const port = await freePort()
    const result = failure(await check(`http://127.0.0.1:${port}/`))
    expect(result.code).toBe('ECONNREFUSED')
    expect(result.reason).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`)
  })

  it('names a DNS failure as "dns ENOTFOUND host"', async () => {
    const result = failure(await check('http://no-such-host.invalid/health', { timeoutMs: 5000 }))
    expect(result.reason).toMatch(/^dns (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid$/)
  })

  it('aborts at the deadline when the server accepts and never answers', async () => {
    await using server = await silentServer()
    const { port } = server
    const result = failure(await check(`http://127.0.0.1:${port}/`, { timeoutMs: 200 }))
    expect(result.code).toBe('TIMEOUT')
    expect(result.reason).toBe('timeout after 200 ms waiting for response headers')
    expect(result.elapsedMs).toBeGreaterThanOrEqual(199)
    // Timers may fire late on a busy machine, never early.
    expect(result.elapsedMs).toBeLessThan(200 + 1000)
  })

  it('aborts at the deadline when the body stalls after the headers', async () => {
    await using server = await httpServer((_request, response) => {
      response.writeHead(200, { 'content-length': '100' })
      response.write('partial')
    })
    const { port } = server
    const result = failure(await check(`http://127.0.0.1:${port}/`, { timeoutMs: 500 }))
    expect(result).toMatchObject({ code: 'TIMEOUT', status: 200 })
    expect(result.reason).toBe('timeout after 500 ms reading the body')
  })

  it(`reads at most ${MAX_BODY_BYTES} bytes of a large body`, async () => {
    await using server = await httpServer((_request, response) => {
      response.writeHead(200)
      response.write(Buffer.alloc(64 * 1024, 'x'))
      // Never ends: the check must not need the rest.
    })
    const { port } = server
    const result = await check(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 })
    expect(result).toMatchObject({ ok: true, response: { bodyBytes: MAX_BODY_BYTES } })
  })

  it('reports a connection dropped before any response as a reset', async () => {
    const server = createServer((socket) => socket.destroy())
    await using listening = await listen(server, '127.0.0.1')
    const { port } = listening
    const result = failure(await check(`http://127.0.0.1:${port}/`))
    expect(result.code).toBe('ECONNRESET')
    expect(result.reason).toMatch(/^reset: connection closed before the response|ECONNRESET/)
  })

  it('sends User-Agent http-check/<version> and Connection: close', async () => {
    const seen: Record<string, string | undefined>[] = []
    await using server = await httpServer((request, response) => {
      seen.push({ ua: request.headers['user-agent'], connection: request.headers.connection })
      response.end('Ok')
    })
    const { port } = server
    await check(`http://127.0.0.1:${port}/`)
    expect(seen).toEqual([{ ua: `http-check/${VERSION}`, connection: 'close' }])
  })

  it('ends with ABORTED when the caller aborts', async () => {
    await using server = await silentServer()
    const { port } = server
    const controller = new AbortController()
    const pending = check(`http://127.0.0.1:${port}/`, {
      timeoutMs: 5000,
      signal: controller.signal,
    })
    controller.abort()
    expect(failure(await pending)).toMatchObject({ code: 'ABORTED', reason: 'aborted' })
  })

  it('returns a URL that is not http(s) as a failure value', async () => {
    const result = failure(await check('ftp://example.com/'))
    expect(result.code).toBe('BAD_URL')
    expect(failure(await check('not a url')).code).toBe('BAD_URL')
  })
})

describe('reading the response', () => {
  /** Answers every connection with these raw bytes, then closes it. */
  function rawServer(response: string) {
    const server = createServer((socket) => {
      socket.once('data', () => socket.end(response, 'latin1'))
    })
    return listen(server, '127.0.0.1')
  }

  it('reads a chunked body to its last chunk', async () => {
    await using server = await httpServer((_request, response) => {
      response.write('O')
      response.end('k!')
    })
    const result = await check(`http://127.0.0.1:${server.port}/`)
    expect(result).toMatchObject({ ok: true, status: 200, response: { bodyBytes: 3 } })
  })

  it('skips a 103 Early Hints before the real answer', async () => {
    await using server = await rawServer(
      'HTTP/1.1 103 Early Hints\r\nLink: </app.css>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n',
    )
    expect(await check(`http://127.0.0.1:${server.port}/`)).toMatchObject({ ok: true, status: 204 })
  })

  it('reads a body that ends with the connection', async () => {
    await using server = await rawServer('HTTP/1.0 200 OK\r\n\r\nOk')
    const result = await check(`http://127.0.0.1:${server.port}/`)
    expect(result).toMatchObject({ ok: true, response: { httpVersion: '1.0', bodyBytes: 2 } })
  })

  it('fails a connection closed before Content-Length bytes arrived', async () => {
    await using server = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nOk')
    const result = failure(await check(`http://127.0.0.1:${server.port}/`))
    expect(result).toMatchObject({
      code: 'ECONNRESET',
      reason: 'reset: connection closed mid-body',
    })
  })

  it('fails two different Content-Lengths as a bad response', async () => {
    await using server = await rawServer(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nOk',
    )
    const result = failure(await check(`http://127.0.0.1:${server.port}/`))
    expect(result).toMatchObject({
      code: 'BAD_RESPONSE',
      reason: 'bad response: invalid Content-Length',
    })
  })
})

describe('localhost', () => {
  it('reaches a server listening on 127.0.0.1 only', async () => {
    await using server = await answering(200, {}, '127.0.0.1')
    const { port } = server
    const result = await check(`http://localhost:${port}/`)
    expect(result).toMatchObject({ ok: true, remoteAddress: `127.0.0.1:${port}` })
  })

  it.skipIf(!ipv6)('reaches a server listening on ::1 only', async () => {
    await using server = await answering(200, {}, '::1')
    const { port } = server
    const result = await check(`http://localhost:${port}/`)
    expect(result).toMatchObject({ ok: true, remoteAddress: `[::1]:${port}` })
  })

  it.skipIf(!ipv6)('reaches a dual-stack server', async () => {
    await using server = await answering(200, {}, '::')
    const { port } = server
    expect(await check(`http://localhost:${port}/`)).toMatchObject({ ok: true })
  })
})

describe('words', () => {
  const base = { url: 'http://localhost/health', elapsedMs: 3.2, timings: {} }

  it('formats a success as "ok STATUS URL TIME"', () => {
    expect(formatResult({ ...base, ok: true, status: 200 })).toBe(
      'ok 200 http://localhost/health 3ms',
    )
  })

  it('formats a failure as "fail URL: REASON after TIME"', () => {
    const result = { ...base, ok: false, code: 'BAD_STATUS', reason: 'bad status 500' } as const
    expect(formatResult(result)).toBe('fail http://localhost/health: bad status 500 after 3ms')
  })

  it('does not repeat the time for a timeout', () => {
    const reason = 'timeout after 300 ms waiting for response headers'
    const result = { ...base, ok: false, code: 'TIMEOUT', reason } as const
    expect(formatResult(result)).toBe(`fail http://localhost/health: ${reason}`)
  })

  it('reads --expect lists, ranges and families', () => {
    expect(parseExpect('200,204')).toEqual([
      { from: 200, to: 200 },
      { from: 204, to: 204 },
    ])
    expect(parseExpect('200-299')).toEqual([{ from: 200, to: 299 }])
    expect(parseExpect('3xx')).toEqual([{ from: 300, to: 399 }])
    expect(describeExpect(parseExpect('2xx, 304') ?? [])).toBe('200-299,304')
    expect(isExpected(204, parseExpect('2xx') ?? [])).toBe(true)
    expect(isExpected(302, parseExpect('2xx') ?? [])).toBe(false)
  })

  it('rejects statuses that are not 100-599 or ranges that run backwards', () => {
    for (const text of ['99', '600', '300-200', 'abc', '2xx,', '6xx', '']) {
      expect(parseExpect(text), text).toBeUndefined()
    }
  })

  it('has the version of package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    expect(VERSION).toBe(manifest.version)
  })
})
