// What every benchmark shares: medians with their spread, and the row format of the
// results table (ours vs a baseline measured in the same run).

export type Row = {
  readonly what: string
  readonly unit: string
  readonly ours: number
  readonly baseline: number
  readonly baselineName: string
  /** ours / baseline. */
  readonly ratio: number
  /** e.g. `≤ 1.10×` or `≥ 90%`. */
  readonly target: string
  readonly pass: boolean
  /** Spread of ours and of the baseline, as `p25–p75`. */
  readonly spread: string
}

export type Skipped = { readonly what: string; readonly skipped: string }

/** A figure reported for context, with no target of its own (latency, image size...). */
export type Info = { readonly what: string; readonly info: string }

export type Line = Row | Skipped | Info

export function median(values: readonly number[]): number {
  return quantile(values, 0.5)
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.ceil(position)
  const low = sorted[below] ?? Number.NaN
  const high = sorted[above] ?? Number.NaN
  return low + (high - low) * (position - below)
}

/** Where a figure's runs fell: the median and the quartiles for the table, min and max. */
export type Spread = {
  readonly median: number
  readonly p25: number
  readonly p75: number
  readonly min: number
  readonly max: number
}

export function summaryOf(values: readonly number[]): Spread {
  return {
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
  }
}

/** The table's spread column: p25–p75. */
export function spreadOf(values: readonly number[], digits = 1): string {
  const { p25, p75 } = summaryOf(values)
  return `${p25.toFixed(digits)}–${p75.toFixed(digits)}`
}

type Comparison = {
  readonly what: string
  readonly unit: string
  readonly ours: readonly number[]
  readonly baseline: readonly number[]
  readonly baselineName: string
  readonly digits?: number
}

/** A comparison whose target is not a plain ratio (e.g. "base + 15 MB", "< 1 s"). */
export function judged(
  { digits = 1, ...c }: Comparison,
  target: string,
  passes: (ours: number, baseline: number) => boolean,
): Row {
  const ours = median(c.ours)
  const baseline = median(c.baseline)
  return {
    ...c,
    ours,
    baseline,
    ratio: ours / baseline,
    target,
    pass: passes(ours, baseline),
    spread: `${spreadOf(c.ours, digits)} / ${spreadOf(c.baseline, digits)}`,
  }
}

/** Lower is better (time, memory): passes when ours ≤ maxRatio × baseline. */
export function atMost(comparison: Comparison, maxRatio: number): Row {
  return judged(
    { digits: 1, ...comparison },
    `≤ ${maxRatio.toFixed(2)}×`,
    (ours, baseline) => ours <= maxRatio * baseline,
  )
}

/** Higher is better (throughput): passes when ours ≥ minShare × baseline. */
export function atLeast(comparison: Comparison, minShare: number): Row {
  return judged(
    { digits: 0, ...comparison },
    `≥ ${Math.round(minShare * 100)}%`,
    (ours, baseline) => ours >= minShare * baseline,
  )
}

function formatNumber(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : 1
  return `${value.toFixed(digits)} ${unit}`
}

export function markdownTable(rows: readonly Line[]): string {
  const lines = [
    '| what | ours | baseline | ratio | target | result | spread (p25–p75, ours / baseline) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const row of rows) {
    if ('info' in row) {
      lines.push(`| ${row.what} | ${row.info} | | | | info | |`)
      continue
    }
    if ('skipped' in row) {
      lines.push(`| ${row.what} | – | – | – | – | skipped: ${row.skipped} | – |`)
      continue
    }
    const ratio = row.target.includes('%')
      ? `${(row.ratio * 100).toFixed(0)}%`
      : `${row.ratio.toFixed(2)}×`
    lines.push(
      `| ${row.what} | ${formatNumber(row.ours, row.unit)} | ${formatNumber(row.baseline, row.unit)} (${row.baselineName}) | ${ratio} | ${row.target} | ${row.pass ? 'pass' : '**miss**'} | ${row.spread} |`,
    )
  }
  return lines.join('\n')
}
