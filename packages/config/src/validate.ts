// Checks raw values (strings from the environment, JSON values from the
// settings file) against the registry's schemas and converts them to their
// types. The registry only uses integer ranges, booleans, enums and patterns,
// so this is all the validator start-up needs to load (a JSON Schema library
// cost about 100 ms of start-up here; see the README's benchmarks).
import type { KeyDefinition } from './keys.ts'
import { parseInteger } from './parse.ts'

type Checked = { readonly ok: true; readonly value: unknown } | { readonly ok: false }

export function checkValue(schema: KeyDefinition['schema'], raw: unknown): Checked {
  switch (schema.type) {
    case 'integer': {
      // A JSON number is judged by its decimal text, as a string from the environment is.
      const text = typeof raw === 'number' ? String(raw) : raw
      const value =
        typeof text === 'string' ? parseInteger(text, schema.minimum, schema.maximum) : undefined
      return value === undefined ? { ok: false } : { ok: true, value }
    }
    case 'boolean': {
      if (raw === true || raw === 'true') return { ok: true, value: true }
      if (raw === false || raw === 'false') return { ok: true, value: false }
      return { ok: false }
    }
    case 'string': {
      if (typeof raw !== 'string') return { ok: false }
      const valid =
        'enum' in schema ? schema.enum.includes(raw) : new RegExp(schema.pattern).test(raw)
      return valid ? { ok: true, value: raw } : { ok: false }
    }
  }
}
