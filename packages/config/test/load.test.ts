import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { problemsOf } from '../../../test/helpers/config.ts'
import { expectedOf, keys, loadConfig } from '../src/index.ts'

function tempDir(settings?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'numbers-config-'))
  if (settings !== undefined) {
    writeFileSync(
      join(dir, 'settings.json'),
      typeof settings === 'string' ? settings : JSON.stringify(settings),
    )
  }
  return dir
}

describe('loadConfig', () => {
  it('gives every key its registry default when nothing is set', () => {
    const config = loadConfig(['PORT', 'FAIL_AFTER', 'BROKEN', 'RNG_API_URL'], {
      env: {},
      cwd: tempDir(),
    })
    expect(config).toEqual({
      PORT: 3000,
      FAIL_AFTER: 3,
      BROKEN: false,
      RNG_API_URL: 'http://numbers-api/rng',
    })
  })

  it('coerces environment strings to the types of the schema', () => {
    const config = loadConfig(['PORT', 'BROKEN', 'LOG_LEVEL'], {
      env: { PORT: '8087', BROKEN: 'true', LOG_LEVEL: 'debug' },
      cwd: tempDir(),
    })
    expect(config).toEqual({ PORT: 8087, BROKEN: true, LOG_LEVEL: 'debug' })
  })

  it('reads settings.json next to the app, and the environment wins over it', () => {
    const cwd = tempDir({ PORT: 9000, FAIL_AFTER: 7 })
    const config = loadConfig(['PORT', 'FAIL_AFTER'], { env: { PORT: '9100' }, cwd })
    expect(config).toEqual({ PORT: 9100, FAIL_AFTER: 7 })
  })

  it('reads the settings file SETTINGS_FILE names', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ FAIL_AFTER: 9 }))
    const config = loadConfig(['FAIL_AFTER'], { env: { SETTINGS_FILE: 'other.json' }, cwd: dir })
    expect(config.FAIL_AFTER).toBe(9)
  })

  it('names the bad value and what was expected: PORT=abc', () => {
    expect(
      problemsOf(() => loadConfig(['PORT'], { env: { PORT: 'abc' }, cwd: tempDir() })),
    ).toEqual(['PORT must be an integer 1-65535, got "abc"'])
  })

  it('lists every bad key in one error', () => {
    const problems = problemsOf(() =>
      loadConfig(['PORT', 'FAIL_AFTER', 'BROKEN', 'LOG_LEVEL', 'RNG_API_URL'], {
        env: {
          PORT: '70000',
          FAIL_AFTER: '-1',
          BROKEN: 'yes',
          LOG_LEVEL: 'loud',
          RNG_API_URL: 'ftp://x',
        },
        cwd: tempDir(),
      }),
    )
    expect(problems).toEqual([
      'PORT must be an integer 1-65535, got "70000"',
      'FAIL_AFTER must be an integer 0-1000000000, got "-1"',
      'BROKEN must be true or false, got "yes"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'RNG_API_URL must be an http:// or https:// URL, got "ftp://x"',
    ])
  })

  it.each([
    ['PORT', ''],
    ['PORT', '3.5'],
    ['PORT', '0'],
    ['FAIL_AFTER', '1e3x'],
    ['STARTUP_DELAY_MS', 'soon'],
    ['HOST', ''],
    ['HOST', 'localhost; rm -rf /'],
    ['RNG_API_URL', ''],
    ['RNG_API_URL', 'http://numbers-api/rng\nX-Injected: 1'],
    ['RNG_API_TIMEOUT_MS', '0'],
  ] as const)('rejects %s=%j', (name, value) => {
    const problems = problemsOf(() =>
      loadConfig([name], { env: { [name]: value }, cwd: tempDir() }),
    )
    expect(problems).toEqual([
      `${name} must be ${expectedOf(keys[name])}, got ${JSON.stringify(value)}`,
    ])
  })

  it('rejects a settings file that is not JSON, naming the file', () => {
    const cwd = tempDir('{ PORT: 1')
    const problems = problemsOf(() => loadConfig(['PORT'], { env: {}, cwd }))
    expect(problems[0]).toMatch(/settings file .*settings\.json is not valid JSON/)
  })

  it('rejects a settings file with an unknown key (a typo would be silently ignored)', () => {
    const cwd = tempDir({ PROT: 80 })
    expect(problemsOf(() => loadConfig(['PORT'], { env: {}, cwd }))).toEqual([
      'settings file has an unknown key PROT',
    ])
  })

  it('rejects a SETTINGS_FILE that does not exist', () => {
    const problems = problemsOf(() =>
      loadConfig(['PORT'], { env: { SETTINGS_FILE: 'missing.json' }, cwd: tempDir() }),
    )
    expect(problems[0]).toMatch(/settings file .*missing\.json cannot be read \(ENOENT\)/)
  })

  it('takes JSON numbers and booleans from the settings file as they are', () => {
    const cwd = tempDir({ PORT: 8080, BROKEN: true, LOG_LEVEL: 'warn' })
    expect(loadConfig(['PORT', 'BROKEN', 'LOG_LEVEL'], { env: {}, cwd })).toEqual({
      PORT: 8080,
      BROKEN: true,
      LOG_LEVEL: 'warn',
    })
  })

  it.each([
    ['PORT', 80.5],
    ['BROKEN', 1],
    ['LOG_LEVEL', 3],
    ['FAIL_AFTER', null],
  ] as const)('rejects %s=%j in the settings file, naming the value', (name, value) => {
    const cwd = tempDir({ [name]: value })
    const problems = problemsOf(() => loadConfig([name], { env: {}, cwd }))
    expect(problems).toEqual([
      `${name} must be ${expectedOf(keys[name])}, got ${JSON.stringify(value)}`,
    ])
  })

  it('keeps keys it was not asked for out of the config', () => {
    const config = loadConfig(['PORT'], { env: { FAIL_AFTER: '5' }, cwd: tempDir() })
    expect(config).toEqual({ PORT: 3000 })
  })
})
