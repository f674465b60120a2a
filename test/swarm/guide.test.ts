// The Swarm guide in both languages, read with the workshop doc-test's parser: the same
// commands in the same order (the doc-test runs the English one), and the same pointers.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { commandsOf, readGuide } from '../workshop/guide.ts'
import { swarmGuidePaths } from './support/guide.ts'

const guides = { en: readGuide(swarmGuidePaths.en), ko: readGuide(swarmGuidePaths.ko) }
const texts = {
  en: readFileSync(swarmGuidePaths.en, 'utf8'),
  ko: readFileSync(swarmGuidePaths.ko, 'utf8'),
}
/** Commands shown for copy-paste that the doc-test does not run (a second terminal, leaving). */
const shownOnly = (language: keyof typeof guides) =>
  guides[language].others.filter((block) => block.info === 'sh').map((block) => block.code)

describe('deploy/swarm guide, English and Korean', () => {
  it('has runnable blocks in every walk-through section, ending with a cleanup', () => {
    const commands = commandsOf(guides.en)
    expect(commands.length).toBeGreaterThanOrEqual(8)
    expect(commands.at(-1)?.cleanup).toBe(true)
  })

  it('gives the same commands, expectations and timeouts in both languages', () => {
    expect(commandsOf(guides.ko)).toEqual(commandsOf(guides.en))
    expect(shownOnly('ko')).toEqual(shownOnly('en'))
  })

  it('has the same sample outputs in both languages', () => {
    const outputs = (language: keyof typeof guides) =>
      guides[language].others.filter((block) => block.info === 'text').map((block) => block.code)
    expect(outputs('ko')).toEqual(outputs('en'))
    expect(outputs('en')).not.toContain('OUTPUT')
  })

  it.each(['en', 'ko'] as const)(
    '%s links the other language, stack.yml and deploy/k8s/',
    (language) => {
      const text = texts[language]
      expect(text).toContain(language === 'en' ? '(README.ko.md)' : '(README.md)')
      expect(text).toContain('(stack.yml)')
      expect(text).toContain('(../k8s/)')
    },
  )
})
