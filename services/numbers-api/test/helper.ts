// Builds a numbers-api app per test, with the defaults of the config registry
// and a log stream the test can read.
import { Writable } from 'node:stream'
import { keys } from '@numbers/config'
import { type ApiConfig, buildApp } from '../src/app.ts'

export const defaultConfig: ApiConfig = {
  FAIL_AFTER: keys.FAIL_AFTER.schema.default,
  BROKEN: keys.BROKEN.schema.default,
  STARTUP_DELAY_MS: keys.STARTUP_DELAY_MS.schema.default,
  RESPONSE_DELAY_MS: keys.RESPONSE_DELAY_MS.schema.default,
}

export type LogLine = { level: number; msg: string; reqId?: string; [field: string]: unknown }

export function buildTestApp(overrides: Partial<ApiConfig> = {}) {
  const logs: LogLine[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line))
      done()
    },
  })
  const app = buildApp({
    config: { ...defaultConfig, ...overrides },
    logger: { level: 'debug', stream },
  })
  return { app, logs }
}
