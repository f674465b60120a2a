import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONFIG_TABLE, renderConfigTable } from '../scripts/config-table.ts'
import { METRICS_TABLE, renderMetricsTable } from '../scripts/metrics-table.ts'
import { readBetweenMarkers } from '../tools/markers.ts'

/** A markdown table with its cells trimmed and alignment padding removed, for comparison. */
function normalizeTable(table: string): string {
  return table
    .trim()
    .split('\n')
    .map((line) =>
      line
        .trim()
        .split('|')
        .map((cell) => (/^\s*-+\s*$/.test(cell) ? '---' : cell.trim()))
        .join('|'),
    )
    .join('\n')
}

describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

  it('documents every config key, as the registry defines it (run `pnpm docs:config` to update)', () => {
    expect(normalizeTable(readBetweenMarkers(readme, CONFIG_TABLE) ?? '')).toBe(
      normalizeTable(renderConfigTable()),
    )
  })

  it('documents every metric both services serve, as they register it (run `pnpm docs:metrics` to update)', async () => {
    expect(normalizeTable(readBetweenMarkers(readme, METRICS_TABLE) ?? '')).toBe(
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
