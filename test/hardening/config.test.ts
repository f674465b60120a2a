// Bad configuration for every key of the registry (packages/config/src/keys.ts), generated
// from the registry itself: a key added there is covered here with no edit. Each bad value
// is refused by name in one ConfigError; a service started with several stops with exit 1
// and exactly one line on stderr.
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  ConfigError,
  expectedOf,
  type KeyDefinition,
  type KeyName,
  keys,
  loadConfig,
} from '../../packages/config/src/index.ts'
import { entryPoints, startService } from '../../tools/processes.ts'
import { problemsOf } from '../helpers/config.ts'

type Case = { readonly key: KeyName; readonly kind: string; readonly value: unknown }

/** Values no key accepts, whatever its type: they look like attacks on a shell, a header or a path. */
const hostile: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['only spaces', '   '],
  ['shell substitution', '$(id)'],
  ['backticks', '`id`'],
  ['shell command', '; rm -rf /'],
  ['header injection', 'x\r\nX-Injected: 1'],
  ['newline', '1\n2'],
  ['path traversal', '../../etc/passwd'],
  ['a NUL byte', 'a\u0000b'],
  ['terminal escapes', '\u001b[2J\u001b[31mred'],
  ['a line separator', 'a\u2028b'],
  ['a lone surrogate', '\ud800'],
  ['markup', '<script>alert(1)</script>'],
  ['10 KB', 'a'.repeat(10_240)],
]

/** Wrong for this key's type, and the edges just outside its range. */
function typeCases(definition: KeyDefinition): (readonly [string, unknown])[] {
  const { schema } = definition
  switch (schema.type) {
    case 'integer':
      return [
        ['below the minimum', String(schema.minimum - 1)],
        ['above the maximum', String(schema.maximum + 1)],
        ['far above the maximum', '99999999999999999999'],
        ['a fraction', `${schema.minimum}.5`],
        ['an exponent', '1e3'],
        ['hexadecimal', '0x10'],
        ['a leading zero', `0${schema.maximum}`],
        ['a plus sign', `+${schema.minimum}`],
        ['padded', ` ${schema.minimum} `],
        ['a word', 'abc'],
        ['infinity', 'Infinity'],
        ['a boolean (settings file)', true],
        ['a fraction (settings file)', schema.minimum + 0.5],
        ['above the maximum (settings file)', schema.maximum + 1],
        ['null (settings file)', null],
        ['a list (settings file)', [schema.default]],
      ]
    case 'boolean':
      return [
        ['yes', 'yes'],
        ['1', '1'],
        ['upper case', 'TRUE'],
        ['padded', ' true'],
        ['a number (settings file)', 1],
        ['a string (settings file)', 'yes'],
        ['null (settings file)', null],
      ]
    case 'string': {
      const wrong: (readonly [string, unknown])[] = [
        ['a number (settings file)', 80],
        ['a boolean (settings file)', false],
        ['an object (settings file)', { value: schema.default }],
        ['null (settings file)', null],
      ]
      if ('enum' in schema) {
        const first = schema.enum[0] ?? ''
        return [
          ...wrong,
          ['upper case', first.toUpperCase()],
          ['padded', ` ${first}`],
          ['not one of them', 'loud'],
        ]
      }
      return [
        ...wrong,
        ['a space inside', `${schema.default} x`],
        ['a trailing newline', `${schema.default}\n`],
        ['a file URL', 'file:///etc/passwd'],
        ['a javascript URL', 'javascript:alert(1)'],
      ]
    }
  }
}

const keyNames = Object.keys(keys) as KeyName[]
const cases: Case[] = keyNames.flatMap((key) => [
  ...hostile.map(([kind, value]) => ({ key, kind, value })),
  ...typeCases(keys[key]).map(([kind, value]) => ({ key, kind, value })),
])

const emptyDir = mkdtempSync(join(tmpdir(), 'numbers-hardening-config-'))
afterAll(() => {
  rmSync(emptyDir, { recursive: true, force: true })
  console.log(
    `hardening: ${cases.length} bad config values refused (${keyNames.length} keys), ` +
      `plus ${spawned} services started with bad keys`,
  )
})

/** Strings go in through the environment, other JSON values through a settings file. */
function load({ key, value }: Case): readonly string[] {
  if (typeof value === 'string') {
    return problemsOf(() => loadConfig([key], { env: { [key]: value }, cwd: emptyDir }))
  }
  const dir = mkdtempSync(join(tmpdir(), 'numbers-hardening-config-'))
  try {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ [key]: value }))
    return problemsOf(() => loadConfig([key], { env: {}, cwd: dir }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('every key of the registry refuses bad values by name', () => {
  it('has cases for every key', () => {
    expect(new Set(cases.map((entry) => entry.key))).toEqual(new Set(keyNames))
  })

  it.each(cases.map((entry) => [entry.key, entry.kind, entry] as const))(
    '%s: %s',
    (key, _kind, entry) => {
      const problems = load(entry)
      expect(problems).toEqual([
        `${key} must be ${expectedOf(keys[key])}, got ${JSON.stringify(entry.value)}`,
      ])
      // One line whatever the value holds: JSON.stringify escapes CR, LF and control bytes.
      const message = new ConfigError(problems).message
      expect([...message].filter((char) => char.charCodeAt(0) < 0x20)).toEqual([])
    },
  )
})

let spawned = 0

/** A few bad keys of each kind, all of them named on the one line. */
const badProcesses = [
  {
    name: 'numbers-api',
    entry: entryPoints.api,
    env: {
      PORT: '0',
      LOG_LEVEL: '$(id)',
      SHUTDOWN_GRACE_MS: '; rm -rf /',
      FAIL_AFTER: '-1',
      BROKEN: 'yes\r\nX-Injected: 1',
      STARTUP_DELAY_MS: '../../etc/passwd',
      RESPONSE_DELAY_MS: 'a'.repeat(10_240),
    },
  },
  {
    name: 'numbers-web',
    entry: entryPoints.web,
    env: {
      HOST: '$(id)',
      REQUEST_TIMEOUT_MS: '99',
      LOG_FORMAT: '',
      RNG_API_URL: '../../etc/passwd',
      RNG_API_TIMEOUT_MS: '60001',
      API_STATUS_CACHE_MS: '1\nX-Injected: 1',
    },
  },
] as const

describe.each(badProcesses)('$name started with several bad keys', ({ name, entry, env }) => {
  it('exits 1 with exactly one line on stderr naming every bad key, and no stack', async () => {
    spawned += 1
    const service = await startService(entry, { env, waitFor: false })
    const [code] = await once(service.child, 'close')
    const { stdout, stderr } = service.output()
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr.endsWith('\n')).toBe(true)
    expect(stderr.split('\n')).toHaveLength(2)
    expect(stderr).toMatch(new RegExp(`^${name}: invalid configuration: `))
    expect(stderr).not.toMatch(/\n\s+at |Error:|node:internal/)
    for (const key of Object.keys(env)) expect(stderr).toContain(`${key} must be `)
  })
})
