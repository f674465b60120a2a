// Reads the workshop guides (docs/workshop/README.md and ko.md) as the doc-tests see them.
// A runnable block is a fence whose info string starts with `sh test`; sample output is `text`
// and is never run. Right after a runnable block, comments say what its stdout must show:
//
//   <!-- expect: 500 -->          the last non-empty line of stdout is exactly `500`
//   <!-- expect: /^Up [^(]*$/m --> the regular expression matches stdout
//
// `sh test cleanup` marks the block that ends a section (always run, even after a failure);
// `timeout=600` in the info string gives a block more than the default 90 s (builds).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const workshopDir = join(import.meta.dirname, '..', '..', 'docs', 'workshop')
export const guidePaths = { en: join(workshopDir, 'README.md'), ko: join(workshopDir, 'ko.md') }

export const DEFAULT_BLOCK_TIMEOUT_MS = 90_000

export type Expectation =
  | { readonly kind: 'last-line'; readonly text: string }
  | { readonly kind: 'match'; readonly pattern: RegExp }

export type CommandBlock = {
  /** 1-based line of the opening fence, for messages. */
  readonly line: number
  readonly code: string
  readonly cleanup: boolean
  readonly timeoutMs: number
  readonly expectations: readonly Expectation[]
}

/** A `##` section with its runnable blocks, in the order the reader meets them. */
export type Section = { readonly title: string; readonly blocks: readonly CommandBlock[] }

/** A fenced block that is not run: sample output, or an excerpt of a file (`file=...`). */
export type OtherBlock = {
  readonly line: number
  readonly info: string
  readonly code: string
  readonly file?: string
}

export type Guide = {
  readonly sections: readonly Section[]
  readonly others: readonly OtherBlock[]
}

const FENCE = /^(`{3,}|~{3,})(.*)$/
const EXPECT = /^<!--\s*expect:\s*(.*?)\s*-->$/

export function parseExpectation(source: string): Expectation {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(source)
  if (regex) return { kind: 'match', pattern: new RegExp(regex[1] ?? '', regex[2]) }
  return { kind: 'last-line', text: source }
}

export function parseGuide(markdown: string): Guide {
  const lines = markdown.split('\n')
  const sections: { title: string; blocks: CommandBlock[] }[] = []
  const others: OtherBlock[] = []
  let current: { title: string; blocks: CommandBlock[] } | undefined

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? ''
    if (line.startsWith('## ')) {
      current = { title: line.slice(3).trim(), blocks: [] }
      sections.push(current)
      continue
    }
    const fence = FENCE.exec(line)
    if (!fence) continue
    const marker = fence[1] ?? '```'
    const info = (fence[2] ?? '').trim()
    const start = index
    const body: string[] = []
    for (index += 1; index < lines.length && !(lines[index] ?? '').startsWith(marker); index += 1) {
      body.push(lines[index] ?? '')
    }
    const code = body.join('\n')
    const words = info.split(/\s+/)
    if (words[0] !== 'sh' || words[1] !== 'test') {
      const file = words.find((word) => word.startsWith('file='))?.slice('file='.length)
      others.push({ line: start + 1, info, code, ...(file ? { file } : {}) })
      continue
    }
    if (!current) throw new Error(`line ${start + 1}: a runnable block before the first section`)
    const timeout = words.find((word) => word.startsWith('timeout='))
    const expectations: Expectation[] = []
    // Expectations follow the closing fence, blank lines allowed between them.
    let next = index + 1
    while (next < lines.length) {
      const text = (lines[next] ?? '').trim()
      const expect = EXPECT.exec(text)
      if (expect) expectations.push(parseExpectation(expect[1] ?? ''))
      else if (text !== '') break
      next += 1
    }
    current.blocks.push({
      line: start + 1,
      code,
      cleanup: words.includes('cleanup'),
      timeoutMs: timeout
        ? Number(timeout.slice('timeout='.length)) * 1000
        : DEFAULT_BLOCK_TIMEOUT_MS,
      expectations,
    })
  }
  return { sections, others }
}

export const readGuide = (path: string): Guide => parseGuide(readFileSync(path, 'utf8'))

/** Every runnable block of a guide, flat: what the two languages must share. */
export const commandsOf = (guide: Guide) =>
  guide.sections.flatMap((section) =>
    section.blocks.map(({ code, cleanup, timeoutMs, expectations }) => ({
      code,
      cleanup,
      timeoutMs,
      expectations: expectations.map((expectation) =>
        expectation.kind === 'match' ? String(expectation.pattern) : expectation.text,
      ),
    })),
  )

/** What the guide's commands create, by name: the doc-test removes these whatever happens. */
export function createdBy(guide: Guide): {
  containers: string[]
  networks: string[]
  projects: string[]
} {
  const code = guide.sections.flatMap((section) => section.blocks.map((block) => block.code))
  const all = (pattern: RegExp) => [
    ...new Set(code.flatMap((text) => [...text.matchAll(pattern)].map((match) => match[1] ?? ''))),
  ]
  return {
    containers: all(/--name[ =]([\w.-]+)/g),
    networks: all(/docker network create ([\w.-]+)/g),
    projects: all(/docker compose -p ([\w.-]+)/g),
  }
}

/** Checks a block's stdout against its expectations; returns what did not hold. */
export function unmetExpectations(block: CommandBlock, stdout: string): string[] {
  const lastLine =
    stdout
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1) ?? ''
  return block.expectations.flatMap((expectation) => {
    if (expectation.kind === 'last-line') {
      return lastLine === expectation.text
        ? []
        : [
            `expected the last line to be ${JSON.stringify(expectation.text)}, got ${JSON.stringify(lastLine)}`,
          ]
    }
    return expectation.pattern.test(stdout)
      ? []
      : [`expected stdout to match ${expectation.pattern}`]
  })
}
