// Prometheus' own linter on both expositions, as scraped from real processes after
// some traffic (numbers, refusals, 404s, failed API calls), so every series is there.
import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { type ServiceProcess, startApi, startWeb } from '../../tools/processes.ts'

/** promtool from Debian (`promtool` on trixie, `prometheus` on bookworm); .ci/run installs it. */
function promtool(): string {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' })
  if (found.error) {
    throw new Error(
      'promtool not found on PATH: `apt-get install promtool` (Debian 13) or `apt-get install prometheus` (Debian 12); .ci/run installs it',
    )
  }
  return 'promtool'
}

function checkMetrics(exposition: string) {
  const result = spawnSync(promtool(), ['check', 'metrics'], {
    input: exposition,
    encoding: 'utf8',
  })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

describe('promtool check metrics', () => {
  const running: ServiceProcess[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((service) => service.stop()))
  })

  it('accepts numbers-api /metrics after numbers, refusals and a 404', async () => {
    const api = await startApi({ env: { FAIL_AFTER: '1' } })
    running.push(api)
    for (const path of ['/rng', '/rng', '/ready', '/no-such-path']) await fetch(`${api.url}${path}`)
    const exposition = await (await fetch(`${api.url}/metrics`)).text()
    expect(exposition).toContain('numbers_api_rng_calls_total{outcome="refused"} 1')
    expect(checkMetrics(exposition)).toEqual({ status: 0, output: '' })
  })

  it('accepts numbers-web /metrics after a failed call to the API and a badge', async () => {
    const web = await startWeb({ env: { RNG_API_URL: 'http://127.0.0.1:9/rng' } })
    running.push(web)
    for (const path of ['/api/number', '/api/status', '/']) await fetch(`${web.url}${path}`)
    const exposition = await (await fetch(`${web.url}/metrics`)).text()
    expect(exposition).toContain('numbers_web_api_calls_total{outcome="unreachable"} 1')
    expect(checkMetrics(exposition)).toEqual({ status: 0, output: '' })
  })
})
