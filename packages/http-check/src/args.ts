// The command line: what the user asked for, or the one line that says what is wrong.
// Read by hand, not with util.parseArgs (~0.6 ms of start-up a check would pay each time).
import { DEFAULT_CERT_MIN_DAYS } from './cert.ts'
import { hasCode, usageError } from './errors.ts'
import {
  parseDays,
  parseDuration,
  parseFilePath,
  parseHeader,
  parseKey,
  parsePath,
  parseStatuses,
  parseTarget,
  parseWholeMs,
} from './option-values.ts'
import { DEFAULT_EXPECT, type StatusRange } from './status.ts'
import { DEFAULT_TIMEOUT_MS } from './tcp.ts'

const DEFAULT_INTERVAL_MS = 250

type Verbosity = 'quiet' | 'normal' | 'verbose'

/** One thing to check, in the order given on the command line. */
type TargetSpec =
  | { readonly kind: 'url'; readonly url: URL }
  | { readonly kind: 'config'; readonly key: string }
  | { readonly kind: 'cert'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string }

export type CheckCommand = {
  readonly kind: 'check'
  /** Empty means the default target, http://localhost:$PORT/health. */
  readonly targets: readonly TargetSpec[]
  /** From -p: replaces the path and query of every HTTP URL. */
  readonly path?: string
  readonly timeoutMs: number
  readonly expect: readonly StatusRange[]
  readonly headers: readonly (readonly [string, string])[]
  readonly insecure: boolean
  readonly cacert?: string
  readonly certMinDays: number
  /** From --wait: the overall deadline; absent means exactly one attempt per target. */
  readonly waitMs?: number
  readonly intervalMs: number
  readonly verbosity: Verbosity
  readonly json: boolean
}

type Command =
  | CheckCommand
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'usage-error'; readonly message: string }

type OptionSpec = { readonly short?: string; readonly takesValue: boolean }

const options: Readonly<Record<string, OptionSpec>> = {
  url: { short: 'u', takesValue: true },
  config: { short: 'c', takesValue: true },
  path: { short: 'p', takesValue: true },
  timeout: { short: 't', takesValue: true },
  header: { short: 'H', takesValue: true },
  expect: { takesValue: true },
  wait: { takesValue: true },
  interval: { takesValue: true },
  cert: { takesValue: true },
  'cert-min-days': { takesValue: true },
  file: { takesValue: true },
  cacert: { takesValue: true },
  insecure: { takesValue: false },
  json: { takesValue: false },
  quiet: { takesValue: false },
  verbose: { short: 'v', takesValue: false },
  help: { short: 'h', takesValue: false },
  version: { takesValue: false },
}

export const usage = `Usage: http-check [options] [TARGET ...]

Checks every target at once under one deadline; one line per target on stdout,
in the order given. Exit 0 when every target is healthy, else 1.

Targets (any mix, each repeatable):
  URL                   http://, https:// or tcp://HOST:PORT (positional or -u)
  -u, --url URL         the same as a positional target
  -c, --config KEY      the URL in config KEY (env, settings file, default)
      --cert PATH       a PEM certificate valid now and --cert-min-days more days
      --file PATH       a path that exists and this user can read

Options:
  -p, --path PATH       replace the path and query of every HTTP URL, e.g. /ready
  -t, --timeout MS      deadline for one attempt, DNS to body (default ${DEFAULT_TIMEOUT_MS})
      --expect LIST     healthy statuses: 200,204 or 200-299 or 2xx (default 200-399)
  -H, --header 'N: V'   send this request header (repeatable)
      --cacert PATH     https: trust the CAs in PATH instead of the system's
      --insecure        https: accept any certificate
      --cert-min-days N days a --cert must still be valid (default ${DEFAULT_CERT_MIN_DAYS})
      --wait DURATION   retry until healthy or DURATION passes: 5s, 500ms, 2m, 1500
      --interval MS     first pause between attempts, doubling up to 2s (default ${DEFAULT_INTERVAL_MS})
      --json            one JSON object per target instead of the line
      --quiet           no output, exit status only
  -v, --verbose         also the address, headers and timings, on stderr
  -h, --help            this text
      --version         the version

Without a target: http://localhost:PORT/health, PORT as the app reads it (default 3000).
HTTP_PROXY, HTTPS_PROXY and NO_PROXY are ignored: a check talks to its target directly.`

type Token = { readonly name: string; readonly value?: string }

/** Options and positional arguments (named `target`), in the order given. */
function tokenize(args: readonly string[]): Token[] {
  const tokens: Token[] = []
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? ''
    if (arg === '--') {
      for (const value of args.slice(index + 1)) tokens.push({ name: 'target', value })
      break
    }
    if (arg === '-' || !arg.startsWith('-')) {
      tokens.push({ name: 'target', value: arg })
      continue
    }
    let name: string | undefined
    let inline: string | undefined
    if (arg.startsWith('--')) {
      const equals = arg.indexOf('=')
      const long = equals < 0 ? arg.slice(2) : arg.slice(2, equals)
      if (Object.hasOwn(options, long)) name = long
      if (equals >= 0) inline = arg.slice(equals + 1)
      if (name === undefined) throw usageError(`unknown option --${long} (see --help)`)
    } else {
      name = Object.keys(options).find((key) => options[key]?.short === arg[1])
      if (arg.length > 2) inline = arg.slice(2)
      if (name === undefined || (inline !== undefined && options[name]?.takesValue !== true)) {
        throw usageError(`unknown option ${arg} (see --help)`)
      }
    }
    const spec = options[name]
    const label = spec?.short === undefined ? `--${name}` : `-${spec.short}, --${name}`
    if (spec?.takesValue) {
      const value = inline ?? args[++index]
      if (value === undefined) throw usageError(`${label} needs a value`)
      tokens.push({ name, value })
    } else {
      if (inline !== undefined) throw usageError(`--${name} takes no value`)
      tokens.push({ name })
    }
  }
  return tokens
}

export function parseCommandLine(args: readonly string[]): Command {
  try {
    const tokens = tokenize(args)
    const has = (name: string) => tokens.some((token) => token.name === name)
    const last = (name: string) => tokens.findLast((token) => token.name === name)?.value
    if (has('help')) return { kind: 'help' }
    if (has('version')) return { kind: 'version' }
    const targets: TargetSpec[] = []
    for (const { name, value = '' } of tokens) {
      if (name === 'url') targets.push({ kind: 'url', url: parseTarget(value, '-u needs') })
      if (name === 'target') {
        targets.push({ kind: 'url', url: parseTarget(value, 'a target argument must be') })
      }
      if (name === 'config') targets.push({ kind: 'config', key: parseKey(value) })
      if (name === 'cert') targets.push({ kind: 'cert', path: parseFilePath(value, '--cert') })
      if (name === 'file') targets.push({ kind: 'file', path: parseFilePath(value, '--file') })
    }
    const path = last('path')
    const timeout = last('timeout')
    const expect = last('expect')
    const wait = last('wait')
    const cacert = last('cacert')
    const certMinDays = last('cert-min-days')
    if (certMinDays !== undefined && !has('cert')) {
      throw usageError('--cert-min-days needs --cert')
    }
    if (has('json') && has('quiet')) throw usageError('--quiet and --json cannot be used together')
    return {
      kind: 'check',
      targets,
      ...(path === undefined ? {} : { path: parsePath(path) }),
      timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : parseWholeMs(timeout, '-t'),
      expect: expect === undefined ? DEFAULT_EXPECT : parseStatuses(expect),
      headers: tokens
        .filter((token) => token.name === 'header')
        .map((token) => parseHeader(token.value ?? '')),
      insecure: has('insecure'),
      ...(cacert === undefined ? {} : { cacert: parseFilePath(cacert, '--cacert') }),
      certMinDays: certMinDays === undefined ? DEFAULT_CERT_MIN_DAYS : parseDays(certMinDays),
      ...(wait === undefined ? {} : { waitMs: parseDuration(wait) }),
      intervalMs: parseInterval(last('interval'), wait !== undefined),
      verbosity: parseVerbosity(has('quiet'), has('verbose')),
      json: has('json'),
    }
  } catch (error) {
    if (hasCode(error, 'HTTP_CHECK_ERR_USAGE'))
      return { kind: 'usage-error', message: error.message }
    throw error
  }
}

function parseInterval(text: string | undefined, waiting: boolean): number {
  if (text !== undefined && !waiting) {
    throw usageError('--interval needs --wait (without it there is exactly one attempt)')
  }
  return text === undefined ? DEFAULT_INTERVAL_MS : parseWholeMs(text, '--interval')
}

function parseVerbosity(quiet: boolean, verbose: boolean): Verbosity {
  if (quiet && verbose) throw usageError('--quiet and --verbose cannot be used together')
  return quiet ? 'quiet' : verbose ? 'verbose' : 'normal'
}
