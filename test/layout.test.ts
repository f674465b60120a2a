// What the tidy-up of issue 19 settled, kept settled: benchmarks and scripts share code with
// the tests through tools/, never by importing test/; no source file grows past 300 lines.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../tools/docker.ts'

const MAX_SOURCE_LINES = 300

function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|js|cjs|mjs)$/.test(file) && !file.includes('node_modules'))
    .map((file) => join(dir, file))
}

describe('layout', () => {
  it('nothing under bench/, scripts/ or tools/ imports from test/', () => {
    const files = ['bench', 'scripts', 'tools'].flatMap(sourceFiles)
    expect(files.length).toBeGreaterThan(10)
    const offenders = files.filter((file) =>
      /from ['"](\.\.\/)+test\//.test(readFileSync(join(repoRoot, file), 'utf8')),
    )
    expect(offenders).toEqual([])
  })

  it(`no source file under packages/*/src or services/*/src has over ${MAX_SOURCE_LINES} lines`, () => {
    const roots = ['packages', 'services'].flatMap((dir) =>
      readdirSync(join(repoRoot, dir)).map((name) => join(dir, name, 'src')),
    )
    const files = roots.flatMap(sourceFiles)
    expect(files.length).toBeGreaterThan(30)
    const long = files
      .map((file) => ({
        file,
        lines: readFileSync(join(repoRoot, file), 'utf8').split('\n').length,
      }))
      .filter(({ lines }) => lines > MAX_SOURCE_LINES)
      .map(({ file, lines }) => `${relative(repoRoot, join(repoRoot, file))}: ${lines}`)
    expect(long).toEqual([])
  })
})
