// The README's config table, rendered from the key registry so it cannot drift.
// `node scripts/config-table.ts --write` rewrites it between the markers in README.md.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { keys } from '../packages/config/src/keys.ts'

export const readmePath = join(import.meta.dirname, '..', 'README.md')
export const START = '<!-- config-table:start -->'
export const END = '<!-- config-table:end -->'

export function renderConfigTable(): string {
  const rows = Object.entries(keys).map(
    ([name, key]) =>
      `| \`${name}\` | ${key.usedBy.join(', ')} | \`${String(key.schema.default)}\` | ${key.expected} | ${key.description} |`,
  )
  return [
    '| key | used by | default | must be | what it does |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
}

/** A markdown table with its cells trimmed and alignment padding removed, for comparison. */
export function normalizeTable(table: string): string {
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

export function tableInReadme(readme: string): string | undefined {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) return undefined
  return readme.slice(start + START.length, end).trim()
}

if (process.argv.includes('--write')) {
  const readme = readFileSync(readmePath, 'utf8')
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) throw new Error(`README.md lacks ${START} ... ${END}`)
  const updated = `${readme.slice(0, start + START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`
  writeFileSync(readmePath, updated)
}
