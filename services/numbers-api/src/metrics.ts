// numbers-api's own metrics. Every one is read from the state when Prometheus
// scrapes (prom-client's `collect`), so serving a number costs nothing extra.
import type { Shutdown } from '@numbers/service'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { RngState } from './state.ts'

export type ApiMetricsOptions = {
  readonly registry: Registry
  readonly state: RngState
  readonly shutdown: Shutdown
}

export function registerApiMetrics({ registry, state, shutdown }: ApiMetricsOptions): void {
  const registers = [registry]
  new Counter({
    name: 'numbers_api_rng_calls_total',
    help: '`/rng` calls by outcome: `served` (a number) or `refused` (500, unhealthy).',
    labelNames: ['outcome'] as const,
    registers,
    collect() {
      this.reset()
      this.inc({ outcome: 'served' }, state.callsServed())
      this.inc({ outcome: 'refused' }, state.callsRefused())
    },
  })
  new Gauge({
    name: 'numbers_api_healthy',
    help: '1 while `/health` answers 200, 0 once unhealthy.',
    registers,
    collect() {
      this.set(state.isHealthy() ? 1 : 0)
    },
  })
  new Gauge({
    name: 'numbers_api_ready',
    help: '1 while `/ready` answers 200; 0 while starting, once unhealthy and once shutting down.',
    registers,
    collect() {
      this.set(state.isHealthy() && !state.isStarting() && !shutdown.isShuttingDown() ? 1 : 0)
    },
  })
  new Gauge({
    name: 'numbers_api_fail_after',
    help: 'The configured `FAIL_AFTER`: good `/rng` calls before the API turns unhealthy (0 = never).',
    registers,
  }).set(state.failAfter)
}
