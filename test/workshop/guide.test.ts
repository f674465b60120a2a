// The workshop guides as documents, no Docker: both languages hold the same commands, every
// command is marked to run, every section removes what it created, and what the guides quote
// from the repository is really there. guide.docker.test.ts runs the commands.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../e2e/support/docker.ts'
import { commandsOf, createdBy, guidePaths, readGuide, unmetExpectations } from './guide.ts'

const guides = { en: readGuide(guidePaths.en), ko: readGuide(guidePaths.ko) }
const languages = ['en', 'ko'] as const

describe('workshop guides', () => {
  it('hold the same command blocks, in the same order, with the same expectations', () => {
    expect(commandsOf(guides.ko)).toEqual(commandsOf(guides.en))
    const shape = (language: keyof typeof guides) =>
      guides[language].sections.map((section) => section.blocks.length)
    expect(shape('ko')).toEqual(shape('en'))
  })

  it('quote the same sample outputs and file excerpts', () => {
    expect(guides.ko.others.map(({ info, code }) => ({ info, code }))).toEqual(
      guides.en.others.map(({ info, code }) => ({ info, code })),
    )
  })

  it.each(languages)('%s: mark every shell block, so no command goes untested', (language) => {
    const unmarked = guides[language].others.filter(({ info }) =>
      /^(sh|bash|shell|console|zsh)\b/.test(info),
    )
    expect(unmarked.map(({ line, info }) => `line ${line}: ${info}`)).toEqual([])
  })

  it('end every section that runs commands with one cleanup block', () => {
    for (const section of guides.en.sections.filter(({ blocks }) => blocks.length > 0)) {
      const cleanups = section.blocks.filter((block) => block.cleanup)
      expect(cleanups, section.title).toHaveLength(1)
      expect(section.blocks.at(-1)?.cleanup, section.title).toBe(true)
    }
  })

  it('clean up, in each section, every container, network and Compose project it creates', () => {
    for (const section of guides.en.sections.filter(({ blocks }) => blocks.length > 0)) {
      const created = createdBy({ sections: [section], others: [] })
      const cleanup = section.blocks.find((block) => block.cleanup)?.code ?? ''
      const removedContainers = cleanup.match(/^docker rm -f (.+)$/m)?.[1]?.split(' ') ?? []
      expect(removedContainers.sort(), section.title).toEqual(created.containers.sort())
      for (const network of created.networks) {
        expect(cleanup, section.title).toContain(`docker network rm ${network}`)
      }
      for (const project of created.projects) {
        expect(cleanup, section.title).toContain(`docker compose -p ${project} down -v`)
      }
    }
  })

  it('name every detached container, so that it can be removed by name', () => {
    const commands = guides.en.sections.flatMap((section) => section.blocks.map((b) => b.code))
    const runs = commands.flatMap((code) => code.match(/^docker run .*$/gm) ?? [])
    expect(runs.length).toBeGreaterThan(0)
    for (const run of runs) expect(run).toMatch(/ --name | --rm /)
  })

  it('publish and call only ports 8080-8088 (the ones the doc-test checks are free)', () => {
    const commands = guides.en.sections
      .flatMap((section) => section.blocks.map((b) => b.code))
      .join('\n')
    const ports = [
      ...commands.matchAll(/-p (\d+):\d+/g),
      ...commands.matchAll(/localhost:(\d+)/g),
    ].map((match) => Number(match[1]))
    expect(ports.length).toBeGreaterThan(0)
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(8080)
      expect(port).toBeLessThanOrEqual(8088)
    }
  })

  it('quote files as they are: every line of an excerpt, in order', () => {
    const excerpts = guides.en.others.filter((block) => block.file !== undefined)
    expect(excerpts.length).toBeGreaterThan(0)
    for (const { file, code, line } of excerpts) {
      const source = readFileSync(join(repoRoot, file ?? ''), 'utf8').split('\n')
      let at = 0
      for (const quoted of code.split('\n').filter((text) => text.trim() !== '')) {
        const found = source.indexOf(quoted, at)
        expect(found, `${file}, excerpt at guide line ${line}: ${quoted}`).toBeGreaterThanOrEqual(0)
        at = found + 1
      }
    }
  })

  it.each(languages)('%s: link only to files that exist', (language) => {
    const markdown = readFileSync(guidePaths[language], 'utf8')
    const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((match) => match[1] ?? '')
      .filter((target) => !/^(https?:|mailto:|#)/.test(target))
    expect(targets.length).toBeGreaterThan(0)
    for (const target of targets) {
      const path = resolve(dirname(guidePaths[language]), target.split('#')[0] ?? '')
      expect(existsSync(path), target).toBe(true)
    }
  })

  it('check expectations against stdout: exact last line, or a regular expression', () => {
    const block = {
      line: 1,
      code: '',
      cleanup: false,
      timeoutMs: 1000,
      expectations: [
        { kind: 'last-line', text: '500' },
        { kind: 'match', pattern: /^200$/m },
      ],
    } as const
    expect(unmetExpectations(block, '200\n500\n\n')).toEqual([])
    expect(unmetExpectations(block, '500\n200\n')).toEqual([
      'expected the last line to be "500", got "200"',
    ])
    expect(unmetExpectations(block, '404\n500\n')).toEqual(['expected stdout to match /^200$/m'])
  })
})
