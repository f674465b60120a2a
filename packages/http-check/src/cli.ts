#!/usr/bin/env node
// http-check, the command a HEALTHCHECK or a dependency check runs. Exit 0 when
// every URL is healthy, 1 otherwise, usage errors included (Docker reserves 2).
// One line per URL on stdout; retries and details on stderr.
//
// One module besides check.ts, for start-up cost (see check.ts); the sections
// are the command line, the URLs, wait mode and the output.
import type { ParseArgsOptionsConfig } from 'node:util'
import {
  type CheckOptions,
  type CheckResult,
  check,
  DEFAULT_EXPECT,
  DEFAULT_TIMEOUT_MS,
  describeExpect,
  formatResult,
  nowMs,
  parseExpect,
  type StatusRange,
  VERSION,
} from './check.ts'

export const DEFAULT_INTERVAL_MS = 250
/** Wait mode's pauses double up to this (or the interval, if that is longer). */
export const MAX_PAUSE_MS = 2000
const MAX_TIMEOUT_MS = 600_000
const MAX_WAIT_MS = 3_600_000
const PREFIX = 'http-check:'

// ---------------------------------------------------------------- command line

export type Verbosity = 'quiet' | 'normal' | 'verbose'

export type CheckCommand = {
  readonly kind: 'check'
  /** From -u and positional arguments, already known to be http(s) URLs. */
  readonly urls: readonly URL[]
  /** From -c: config keys whose values are the URLs. */
  readonly configKeys: readonly string[]
  /** From -p: replaces the path and query of every URL. */
  readonly path?: string
  readonly timeoutMs: number
  readonly expect: readonly StatusRange[]
  /** From --wait: the overall deadline; absent means exactly one attempt per URL. */
  readonly waitMs?: number
  readonly intervalMs: number
  readonly verbosity: Verbosity
}

export type Command =
  | CheckCommand
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'usage-error'; readonly message: string }

const options = {
  url: { type: 'string', short: 'u', multiple: true },
  config: { type: 'string', short: 'c', multiple: true },
  path: { type: 'string', short: 'p' },
  timeout: { type: 'string', short: 't' },
  expect: { type: 'string' },
  wait: { type: 'string' },
  interval: { type: 'string' },
  quiet: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig

export const usage = `Usage: http-check [options] [URL ...]

One GET per URL with a hard deadline; one line per URL on stdout.
Exit 0 when every URL answers an expected status, else 1.

  -u, --url URL         URL to check (repeatable; positional URLs too)
  -c, --config KEY      take the URL from config KEY (env, settings file, default)
  -p, --path PATH       replace the path and query of every URL, e.g. /ready
  -t, --timeout MS      deadline for one attempt, DNS to body (default ${DEFAULT_TIMEOUT_MS})
      --expect LIST     healthy statuses: 200,204 or 200-299 or 2xx (default 200-399)
      --wait DURATION   retry until healthy or DURATION passes: 5s, 500ms, 2m, 1500
      --interval MS     first pause between attempts, doubling up to 2s (default ${DEFAULT_INTERVAL_MS})
      --quiet           no output, exit status only
      --verbose         also the address, headers and timings, on stderr
  -h, --help            this text
      --version         the version

Without a URL: http://localhost:PORT/health, PORT as the app reads it (default 3000).`

class UsageError extends Error {}

export function parseCommandLine(args: readonly string[]): Command {
  const { parseArgs } = process.getBuiltinModule('node:util')
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
  } catch (error) {
    return { kind: 'usage-error', message: describeParseError(error) }
  }
  const { values, positionals } = parsed
  if (values.help) return { kind: 'help' }
  if (values.version) return { kind: 'version' }
  try {
    return {
      kind: 'check',
      urls: [
        ...(values.url ?? []).map((text) => parseUrl(text, '-u needs')),
        ...positionals.map((text) => parseUrl(text, 'a URL argument must be')),
      ],
      configKeys: (values.config ?? []).map(parseKey),
      ...(values.path === undefined ? {} : { path: parsePath(values.path) }),
      timeoutMs: parseWholeMs(values.timeout, '-t', MAX_TIMEOUT_MS) ?? DEFAULT_TIMEOUT_MS,
      expect: values.expect === undefined ? DEFAULT_EXPECT : parseStatuses(values.expect),
      ...(values.wait === undefined ? {} : { waitMs: parseDuration(values.wait) }),
      intervalMs: parseInterval(values.interval, values.wait !== undefined),
      verbosity: parseVerbosity(values.quiet === true, values.verbose === true),
    }
  } catch (error) {
    if (error instanceof UsageError) return { kind: 'usage-error', message: error.message }
    throw error
  }
}

function parseUrl(text: string, words: string): URL {
  const url = URL.parse(text)
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${words} an http:// or https:// URL, got ${JSON.stringify(text)}`)
  }
  return url
}

function parseKey(text: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) {
    throw new UsageError(`-c needs a config key such as RNG_API_URL, got ${JSON.stringify(text)}`)
  }
  return text
}

function parsePath(text: string): string {
  // `//host/x` would be read as a new host, not a path; so would `/\host` and `/<tab>/host`
  // (the URL parser reads `\` as `/` and drops tabs and newlines): check what it makes of it.
  const sameHost = URL.parse(text, 'http://h.invalid/')?.host === 'h.invalid'
  if (!text.startsWith('/') || text.startsWith('//') || !sameHost) {
    throw new UsageError(`-p needs a path starting with a single /, got ${JSON.stringify(text)}`)
  }
  return text
}

function parseWholeMs(text: string | undefined, flag: string, max: number): number | undefined {
  if (text === undefined) return undefined
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!(value >= 1 && value <= max)) {
    throw new UsageError(
      `${flag} needs a whole number of milliseconds 1-${max}, got ${JSON.stringify(text)}`,
    )
  }
  return value
}

function parseStatuses(text: string): readonly StatusRange[] {
  const expect = parseExpect(text)
  if (expect === undefined) {
    throw new UsageError(
      `--expect needs statuses 100-599 like 200,204 or 200-299 or 2xx, got ${JSON.stringify(text)}`,
    )
  }
  return expect
}

const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 }

/** `5s`, `500ms`, `2m`, `1.5s` or plain milliseconds, 1 ms to 60 min. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text)
  const value = match ? Math.round(Number(match[1]) * (unitMs[match[2] ?? 'ms'] ?? 1)) : Number.NaN
  if (!(value >= 1 && value <= MAX_WAIT_MS)) {
    throw new UsageError(
      `--wait needs a duration like 5s, 500ms, 2m or plain milliseconds, 1ms-60m, got ${JSON.stringify(text)}`,
    )
  }
  return value
}

function parseInterval(text: string | undefined, waiting: boolean): number {
  if (text !== undefined && !waiting) {
    throw new UsageError('--interval needs --wait (without it there is exactly one attempt)')
  }
  return parseWholeMs(text, '--interval', MAX_TIMEOUT_MS) ?? DEFAULT_INTERVAL_MS
}

function parseVerbosity(quiet: boolean, verbose: boolean): Verbosity {
  if (quiet && verbose) throw new UsageError('--quiet and --verbose cannot be used together')
  return quiet ? 'quiet' : verbose ? 'verbose' : 'normal'
}

/** parseArgs' own messages run long and advise in prose; keep the part that names the flag. */
function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message: string }
  const option = /'([^']+)'/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    return `unknown option ${option} (see --help)`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    const flag = option.replace(/ <value>$/, '')
    if (message.includes('does not take an argument')) return `${flag} takes no value`
    return `${flag} needs a value`
  }
  return message.split('. ')[0] ?? message
}

// ---------------------------------------------------------------- URLs

type Lookup = typeof import('@numbers/config/lookup').lookup

class TargetError extends Error {}

/**
 * The URLs given, the ones config keys name, or else the app's own /health.
 * The config reader is imported only then, so a plain `-u` check loads
 * nothing but node:http.
 */
export async function resolveTargets(command: CheckCommand): Promise<URL[] | string> {
  const urls = [...command.urls]
  try {
    if (command.configKeys.length > 0 || urls.length === 0) {
      const { lookup } = await import('@numbers/config/lookup')
      for (const key of command.configKeys) urls.push(urlFromConfig(lookup, key))
      if (urls.length === 0) urls.push(defaultUrl(lookup))
    }
  } catch (error) {
    if (error instanceof TargetError) return error.message
    throw error
  }
  const path = command.path
  return path === undefined ? urls : urls.map((url) => new URL(path, url))
}

function urlFromConfig(lookup: Lookup, key: string): URL {
  const value = readConfig(lookup, key, `-c ${key}`)
  if (value === undefined) {
    throw new TargetError(
      `-c ${key}: no such config key, and not set in the environment or the settings file`,
    )
  }
  const url = URL.parse(value)
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new TargetError(
      `-c ${key} must hold an http:// or https:// URL, got ${JSON.stringify(value)}`,
    )
  }
  return url
}

/** Where the app itself listens: PORT read the way the app reads it, so both agree. */
function defaultUrl(lookup: Lookup): URL {
  const port = readConfig(lookup, 'PORT', 'the default URL') ?? ''
  const value = /^\d+$/.test(port) ? Number(port) : Number.NaN
  if (!(value >= 1 && value <= 65535)) {
    throw new TargetError(
      `PORT must be an integer 1-65535, got ${JSON.stringify(port)} (it makes the default URL; -u names one)`,
    )
  }
  return new URL(`http://localhost:${value}/health`)
}

function readConfig(lookup: Lookup, key: string, context: string): string | undefined {
  try {
    return lookup(key)
  } catch (error) {
    // A ConfigError from the settings file: its problems already read as sentences.
    const problems = (error as { problems?: readonly string[] }).problems
    if (!Array.isArray(problems)) throw error
    throw new TargetError(`${context}: ${problems.join('; ')}`)
  }
}

// ---------------------------------------------------------------- wait mode

export type WaitOptions = CheckOptions & {
  readonly timeoutMs: number
  /** nowMs() after which no attempt starts. */
  readonly deadline: number
  readonly intervalMs: number
  /** After every attempt that failed and will be retried. */
  readonly onRetry?: (result: CheckResult, attempt: number, pauseMs: number) => void
  /** After every attempt, failed or not. */
  readonly onAttempt?: (result: CheckResult) => void
}

export type WaitOutcome = { readonly result: CheckResult; readonly attempts: number }

/**
 * Retries one URL until it is healthy or the deadline passes. Pauses start at
 * the interval and double up to 2 s: a dependency that is nearly up is seen
 * quickly, one that is down is not hammered. No attempt or pause runs past the
 * deadline.
 */
export async function checkUntilHealthy(url: URL, options: WaitOptions): Promise<WaitOutcome> {
  const maxPauseMs = Math.max(options.intervalMs, MAX_PAUSE_MS)
  let pauseMs = options.intervalMs
  for (let attempt = 1; ; attempt++) {
    const remainingMs = Math.max(1, Math.ceil(options.deadline - nowMs()))
    const result = await check(url, {
      ...options,
      timeoutMs: Math.min(options.timeoutMs, remainingMs),
    })
    options.onAttempt?.(result)
    const leftMs = options.deadline - nowMs()
    if (result.ok || leftMs <= 0 || options.signal?.aborted) return { result, attempts: attempt }
    const nextPauseMs = Math.ceil(Math.min(pauseMs, leftMs))
    options.onRetry?.(result, attempt, nextPauseMs)
    await new Promise((resolve) => setTimeout(resolve, nextPauseMs))
    if (options.deadline - nowMs() <= 0) return { result, attempts: attempt }
    pauseMs = Math.min(pauseMs * 2, maxPauseMs)
  }
}

// ---------------------------------------------------------------- the run

export async function main(args: readonly string[]): Promise<number> {
  const command = parseCommandLine(args)
  switch (command.kind) {
    case 'help':
      print(1, `${usage}\n`)
      return 0
    case 'version':
      print(1, `${VERSION}\n`)
      return 0
    case 'usage-error':
      print(2, `${PREFIX} ${command.message}\n`)
      return 1
    case 'check':
      return run(command)
  }
}

async function run(command: CheckCommand): Promise<number> {
  const startedAt = nowMs()
  const urls = await resolveTargets(command)
  if (typeof urls === 'string') {
    print(2, `${PREFIX} ${urls}\n`)
    return 1
  }
  const quiet = command.verbosity === 'quiet'
  const verbose = command.verbosity === 'verbose'
  const outcomes: (WaitOutcome | undefined)[] = urls.map(() => undefined)

  // docker stop or Ctrl-C ends a wait at once, still with one line per URL and
  // exit 1. A single attempt is over within -t anyway, so it keeps Node's default
  // (end at once) and skips the ~2 ms that installing signal handlers costs.
  const onSignal = (signal: NodeJS.Signals) => {
    if (!quiet) {
      const lines = urls.map((url, index) => {
        const outcome = outcomes[index]
        if (outcome !== undefined) return resultLine(command, outcome)
        const elapsed = Math.round(nowMs() - startedAt)
        return `${PREFIX} fail ${url.href}: interrupted by ${signal} after ${elapsed}ms`
      })
      print(1, `${lines.join('\n')}\n`)
    }
    process.exit(1)
  }
  if (command.waitMs !== undefined) {
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  }

  const onAttempt = (result: CheckResult) => {
    if (verbose) print(2, describeAttempt(result))
  }
  const waitMs = command.waitMs
  const checkOptions = { timeoutMs: command.timeoutMs, expect: command.expect }
  await Promise.all(
    urls.map(async (url, index) => {
      if (verbose) print(2, announce(url, command))
      if (waitMs === undefined) {
        const result = await check(url, checkOptions)
        onAttempt(result)
        outcomes[index] = { result, attempts: 1 }
        return
      }
      outcomes[index] = await checkUntilHealthy(url, {
        ...checkOptions,
        deadline: startedAt + waitMs,
        intervalMs: command.intervalMs,
        onAttempt,
        onRetry: (result, attempt, pauseMs) => {
          if (!quiet) {
            print(2, `${PREFIX} attempt ${attempt} ${formatResult(result)}; next in ${pauseMs}ms\n`)
          }
        },
      })
    }),
  )
  const finished = outcomes.filter((outcome) => outcome !== undefined)
  if (!quiet) print(1, `${finished.map((outcome) => resultLine(command, outcome)).join('\n')}\n`)
  return finished.every((outcome) => outcome.result.ok) ? 0 : 1
}

function resultLine(command: CheckCommand, { result, attempts }: WaitOutcome): string {
  const line = `${PREFIX} ${formatResult(result)}`
  if (command.waitMs === undefined || attempts === 1) return line
  return result.ok
    ? `${line} (attempt ${attempts})`
    : `${line} (gave up after ${attempts} attempts in ${command.waitMs}ms)`
}

function announce(url: URL, command: CheckCommand): string {
  const expect = describeExpect(command.expect)
  return `${PREFIX} GET ${url.href} timeout ${command.timeoutMs}ms expect ${expect}\n`
}

function describeAttempt(result: CheckResult): string {
  const lines: string[] = []
  const { connectMs, headersMs } = result.timings
  if (result.remoteAddress !== undefined) {
    lines.push(`connected to ${result.remoteAddress} in ${formatMs(connectMs)}`)
  }
  const response = result.response
  if (response !== undefined) {
    const status = result.ok ? result.status : (result.status ?? '')
    lines.push(`< HTTP/${response.httpVersion} ${status} ${response.statusText}`)
    for (let index = 0; index + 1 < response.rawHeaders.length; index += 2) {
      lines.push(`< ${response.rawHeaders[index]}: ${response.rawHeaders[index + 1]}`)
    }
    lines.push(`headers after ${formatMs(headersMs)}, ${response.bodyBytes} body bytes read`)
  }
  lines.push(`${formatResult(result)} (${formatMs(result.elapsedMs)})`)
  return lines.map((line) => `${PREFIX} ${line}\n`).join('')
}

function formatMs(ms: number | undefined): string {
  return ms === undefined ? '?' : `${ms.toFixed(1)}ms`
}

/**
 * writeSync on the inherited descriptor, not process.stdout: creating that
 * stream loads a pipe or file stream (~1.7 MB RSS) for a line or two, and a
 * synchronous write is surely out before process.exit.
 */
function print(fd: 1 | 2, text: string): void {
  const { writeSync } = process.getBuiltinModule('node:fs')
  let bytes = Buffer.from(text)
  // A non-blocking pipe may be full for a moment: retry for up to a second.
  for (let retries = 0; bytes.length > 0 && retries < 1000; ) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes))
    } catch (error) {
      // Anything but a full pipe means nobody reads; the exit status still tells.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1)
      retries++
    }
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (exitCode) => process.exit(exitCode),
    (error: unknown) => {
      // A bug, not a network failure (those are results): still one line, no stack.
      print(
        2,
        `${PREFIX} internal error: ${error instanceof Error ? error.message : String(error)}\n`,
      )
      process.exit(1)
    },
  )
}
