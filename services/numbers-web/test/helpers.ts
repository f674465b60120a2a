// Builders for numbers-web tests: the app with default config, a stand-in
// API on a loopback port, canned probe answers and captured log lines.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { defaultsOf, keysUsedBy } from '@numbers/config'
import type { FastifyInstance } from 'fastify'
import type { CheckResult } from 'http-check'
import { onTestFinished } from 'vitest'
import { closeServer, listenForTest } from '../../../test/helpers/servers.ts'
import { buildApp, type WebConfig, type WebOptions } from '../src/app.ts'

export function testConfig(overrides: Partial<WebConfig> = {}): WebConfig {
  return { ...defaultsOf(keysUsedBy('numbers-web')), ...overrides }
}

export type LogLine = { level: number; msg: string; reqId?: string; [key: string]: unknown }

/** pino writes here; `lines` holds what it wrote, parsed. */
export function captureLogs(): { stream: Writable; lines: LogLine[] } {
  const lines: LogLine[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) {
        if (text) lines.push(JSON.parse(text) as LogLine)
      }
      done()
    },
  })
  return { stream, lines }
}

/** The app, closed when the test ends. */
export function buildTestApp(
  config: Partial<WebConfig> = {},
  options: Omit<WebOptions, 'config'> = {},
): FastifyInstance {
  const app = buildApp({ config: testConfig(config), ...options })
  onTestFinished(() => app.close())
  return app
}

export type StubApi = {
  /** e.g. `http://127.0.0.1:41234/rng`, for RNG_API_URL. */
  readonly rngUrl: string
  /** The paths asked for, in order. */
  readonly requests: string[]
  readonly close: () => Promise<void>
}

/** A stand-in for numbers-api that answers however the test says; closed when the test ends. */
export async function startStubApi(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<StubApi> {
  const requests: string[] = []
  const server = createServer((request, response) => {
    requests.push(request.url ?? '')
    handler(request, response)
  })
  const port = await listenForTest(server)
  return { rngUrl: `http://127.0.0.1:${port}/rng`, requests, close: () => closeServer(server) }
}

/** What http-check says when the API answers `status`. */
export function answered(status: number): CheckResult {
  const base = { url: 'http://api/', elapsedMs: 1, timings: {} }
  return status >= 200 && status < 400
    ? { ...base, ok: true, status }
    : { ...base, ok: false, status, code: 'BAD_STATUS', reason: `bad status ${status}` }
}

/** What http-check says when nothing answers. */
export function unanswered(code = 'ECONNREFUSED'): CheckResult {
  return { url: 'http://api/', elapsedMs: 1, timings: {}, ok: false, code, reason: code }
}

/** A probe that answers /ready and /health as given, and counts its calls. */
export function fakeProbe(ready: CheckResult, health: CheckResult = answered(200)) {
  const calls: string[] = []
  const probe = async (url: URL) => {
    calls.push(url.pathname)
    return url.pathname === '/ready' ? ready : health
  }
  return { probe, calls }
}

/** The web on a real loopback socket, as a browser or curl would reach it; closed when the test ends. */
export async function listenWeb(
  config: Partial<WebConfig>,
  options: Omit<WebOptions, 'config'> = {},
): Promise<string> {
  const app = buildTestApp(config, options)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  return `http://127.0.0.1:${port}`
}
