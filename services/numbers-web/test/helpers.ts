// Builders for numbers-web tests: the app with default config, on a real socket when a
// test needs one, and canned answers of http-check's probe.
import type { AddressInfo } from 'node:net'
import { defaultsOf, keysUsedBy } from '@numbers/config'
import type { CheckResult } from 'http-check'
import { testAppBuilder } from '../../../test/helpers/apps.ts'
import { buildApp, type WebConfig, type WebOptions } from '../src/app.ts'

/** The app with the registry's defaults and `config` over them, closed when the test ends. */
export const buildTestApp = testAppBuilder(buildApp, defaultsOf(keysUsedBy('numbers-web')))

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
