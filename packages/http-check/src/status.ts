// Which HTTP statuses count as healthy: `--expect 200,204`, `200-299`, `2xx`.

export type StatusRange = { readonly from: number; readonly to: number }

/** 200-399, as Kubernetes' httpGet probe and `curl -f` judge: a redirect is an answer. */
export const DEFAULT_EXPECT: readonly StatusRange[] = [{ from: 200, to: 399 }]

export function isExpected(status: number, expect: readonly StatusRange[]): boolean {
  return expect.some((range) => status >= range.from && status <= range.to)
}

/** `200,204`, `200-299` or `2xx` as ranges; undefined when any part is none of those. */
export function parseExpect(text: string): StatusRange[] | undefined {
  const ranges: StatusRange[] = []
  for (const part of text.split(',')) {
    const range = parseStatusRange(part.trim())
    if (range === undefined) return undefined
    ranges.push(range)
  }
  return ranges
}

export function describeExpect(expect: readonly StatusRange[]): string {
  return expect
    .map((range) => (range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`))
    .join(',')
}

function parseStatusRange(part: string): StatusRange | undefined {
  const family = /^([1-5])xx$/i.exec(part)
  if (family) return { from: Number(family[1]) * 100, to: Number(family[1]) * 100 + 99 }
  const span = /^(\d{3})(?:-(\d{3}))?$/.exec(part)
  if (!span) return undefined
  const from = Number(span[1])
  const to = Number(span[2] ?? span[1])
  if (from < 100 || to > 599 || from > to) return undefined
  return { from, to }
}
