// The generated sections of a README: what stands between `<!-- NAME:start -->` and
// `<!-- NAME:end -->`. The benchmarks write their tables there, scripts/ the config and
// metrics tables, and test/docs.test.ts reads them back. Shared by bench/, scripts/ and
// test/, so it imports from none of them.
import { readFileSync, writeFileSync } from 'node:fs'

function markersOf(name: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` }
}

/** What stands between the markers `name` in `text`, trimmed; undefined without both. */
export function readBetweenMarkers(text: string, name: string): string | undefined {
  const { start, end } = markersOf(name)
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) return undefined
  return text.slice(from + start.length, to).trim()
}

/**
 * Replaces what stands between the markers `name` in `file` with `content`; a file
 * without both markers is left as it is, and the answer is false.
 */
export function writeBetweenMarkers(file: string, name: string, content: string): boolean {
  const { start, end } = markersOf(name)
  const text = readFileSync(file, 'utf8')
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) return false
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`)
  return true
}
