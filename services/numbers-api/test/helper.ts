// Builds a numbers-api app per test (closed when the test ends), with the
// defaults of the config registry and a log stream the test can read.
import { Writable } from 'node:stream'
import { defaultsOf, keysUsedBy } from '@numbers/config'
import { onTestFinished } from 'vitest'
import { type ApiConfig, buildApp } from '../src/app.ts'

export const defaultConfig: ApiConfig = defaultsOf(keysUsedBy('numbers-api'))

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
  onTestFinished(() => app.close())
  return { app, logs }
}
