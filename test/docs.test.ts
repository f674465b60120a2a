import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  normalizeTable,
  readmePath,
  renderConfigTable,
  tableInReadme,
} from '../scripts/config-table.ts'
import { tableInReadme as metricsTableIn, renderMetricsTable } from '../scripts/metrics-table.ts'

describe('README', () => {
  const readme = readFileSync(readmePath, 'utf8')

  it('documents every config key, as the registry defines it (run `pnpm docs:config` to update)', () => {
    expect(normalizeTable(tableInReadme(readme) ?? '')).toBe(normalizeTable(renderConfigTable()))
  })

  it('documents every metric both services serve, as they register it (run `pnpm docs:metrics` to update)', async () => {
    expect(normalizeTable(metricsTableIn(readme) ?? '')).toBe(
      normalizeTable(await renderMetricsTable()),
    )
  })

  it('gives the same one-line test command that CI runs', () => {
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')
    const command = ci.trim().split('\n').at(-1) ?? ''
    expect(command).toMatch(/^pnpm install && pnpm test$/)
    expect(readme).toContain(`\`\`\`sh\n${command}\n\`\`\``)
  })
})
