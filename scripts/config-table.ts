// The README's config table, rendered from the key registry so it cannot drift.
// `pnpm docs:config` rewrites it between the README's config-table markers.
import { join } from 'node:path'
import { expectedOf, keys } from '../packages/config/src/keys.ts'
import { writeBetweenMarkers } from '../tools/markers.ts'

export const CONFIG_TABLE = 'config-table'

export function renderConfigTable(): string {
  const rows = Object.entries(keys).map(
    ([name, key]) =>
      `| \`${name}\` | ${key.usedBy.join(', ')} | \`${String(key.schema.default)}\` | ${expectedOf(key)} | ${key.description} |`,
  )
  return [
    '| key | used by | default | must be | what it does |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
}

if (process.argv.includes('--write')) {
  const readme = join(import.meta.dirname, '..', 'README.md')
  if (!writeBetweenMarkers(readme, CONFIG_TABLE, renderConfigTable())) {
    throw new Error(`README.md lacks the ${CONFIG_TABLE} markers`)
  }
}
