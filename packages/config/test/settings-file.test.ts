// What the settings file may be: a regular file of at most MAX_SETTINGS_BYTES. Each case
// runs in a child process with a deadline, so a read that blocks (a FIFO) fails the test
// instead of hanging the run.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_SETTINGS_BYTES } from '../src/settings.ts'

const DEADLINE_MS = 5000
const lookupModule = join(import.meta.dirname, '..', 'src', 'lookup.ts')
const loadModule = join(import.meta.dirname, '..', 'src', 'load.ts')

/** What a service (loadConfig) and http-check (lookup) say about `settings.json` in `cwd`. */
function readIn(cwd: string): { loadConfig: string; lookup: string } {
  const script = `
    const { loadConfig } = await import(${JSON.stringify(loadModule)})
    const { lookup } = await import(${JSON.stringify(lookupModule)})
    const said = (read) => { try { return JSON.stringify(read()) } catch (error) { return error.message } }
    process.stdout.write(JSON.stringify({
      loadConfig: said(() => loadConfig(['PORT'], { env: {} })),
      lookup: said(() => lookup('PORT', {})),
    }))`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    encoding: 'utf8',
    timeout: DEADLINE_MS,
    env: { PATH: process.env.PATH ?? '' },
  })
  if (child.signal !== null) throw new Error(`reading settings.json took over ${DEADLINE_MS} ms`)
  return JSON.parse(child.stdout)
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'numbers-settings-'))

describe('the settings file', () => {
  it('a FIFO named settings.json is refused at once, not waited on', () => {
    const cwd = tempDir()
    execFileSync('mkfifo', [join(cwd, 'settings.json')])
    const said = readIn(cwd)
    const refusal = `invalid configuration: settings file ${join(cwd, 'settings.json')} must be a regular file, not a FIFO`
    expect(said).toMatchObject({ loadConfig: refusal, lookup: refusal })
  })

  it('a link to /dev/zero is refused without reading it', () => {
    const cwd = tempDir()
    symlinkSync('/dev/zero', join(cwd, 'settings.json'))
    const said = readIn(cwd)
    const refusal = `invalid configuration: settings file ${join(cwd, 'settings.json')} must be a regular file, not a device`
    expect(said).toMatchObject({ loadConfig: refusal, lookup: refusal })
  })

  it('a file over the size cap is refused by size, naming the cap', () => {
    const cwd = tempDir()
    const padding = ' '.repeat(MAX_SETTINGS_BYTES)
    writeFileSync(join(cwd, 'settings.json'), `{"PORT": 8080${padding}}`)
    const said = readIn(cwd)
    const refusal = `invalid configuration: settings file ${join(cwd, 'settings.json')} is larger than ${MAX_SETTINGS_BYTES} bytes`
    expect(said).toMatchObject({ loadConfig: refusal, lookup: refusal })
  })

  it('a file just under the cap is read as before', () => {
    const cwd = tempDir()
    const padding = ' '.repeat(MAX_SETTINGS_BYTES - 20)
    writeFileSync(join(cwd, 'settings.json'), `{"PORT": 8080${padding}}`)
    expect(readIn(cwd)).toMatchObject({ loadConfig: '{"PORT":8080}', lookup: '"8080"' })
  })

  it('a link to a regular file is followed, as before', () => {
    const cwd = tempDir()
    writeFileSync(join(cwd, 'real.json'), '{"PORT": 8081}')
    symlinkSync(join(cwd, 'real.json'), join(cwd, 'settings.json'))
    expect(readIn(cwd)).toMatchObject({ loadConfig: '{"PORT":8081}', lookup: '"8081"' })
  })
})
