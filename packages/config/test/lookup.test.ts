import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/errors.ts'
import { lookup } from '../src/lookup.ts'

describe('lookup', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'numbers-lookup-'))
  writeFileSync(join(cwd, 'settings.json'), JSON.stringify({ RNG_API_URL: 'http://from-file/rng' }))

  it('prefers the environment', () => {
    expect(lookup('RNG_API_URL', { RNG_API_URL: 'http://from-env/rng' }, cwd)).toBe(
      'http://from-env/rng',
    )
  })

  it('falls back to the settings file', () => {
    expect(lookup('RNG_API_URL', {}, cwd)).toBe('http://from-file/rng')
  })

  it("falls back to the key's default, so a URL is defined once", () => {
    expect(lookup('RNG_API_URL', {}, mkdtempSync(join(tmpdir(), 'numbers-lookup-')))).toBe(
      'http://numbers-api/rng',
    )
  })

  it('answers undefined for a key nobody defines', () => {
    expect(lookup('NO_SUCH_KEY', {}, cwd)).toBeUndefined()
  })

  it('throws a ConfigError for a broken settings file', () => {
    const broken = mkdtempSync(join(tmpdir(), 'numbers-lookup-'))
    writeFileSync(join(broken, 'settings.json'), '[1, 2')
    expect(() => lookup('RNG_API_URL', {}, broken)).toThrow(ConfigError)
  })

  it('does not load the validator: lookup stays cheap for health checks', async () => {
    const { execFileSync } = await import('node:child_process')
    // Records every module the built lookup pulls in.
    const script = `const seen = []
      require('node:module').registerHooks({
        resolve(specifier, context, next) { const found = next(specifier, context); seen.push(found.url); return found },
      })
      import('@numbers/config/lookup').then(() => process.stdout.write(JSON.stringify(seen)))`
    const output = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      encoding: 'utf8',
    })
    const loaded: string[] = JSON.parse(output)
    expect(loaded.some((url) => url.endsWith('/dist/lookup.js'))).toBe(true)
    expect(loaded.filter((url) => /load\.js|validate\.js/.test(url))).toEqual([])
  })
})
