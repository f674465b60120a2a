// http-check's codes in one table, its one thrown error, and a Node error in the words
// of a result line. A failed check is a value, never a throw: its `code` is one of
// failureCodes or Node's own (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED...). The only
// throw is an InputError, caught before it leaves the package and known by its code.

/** The codes of http-check's own failures: a result's `code`, --json's `code`. */
const failureCodes = {
  TIMEOUT: 'the deadline passed; the reason names the phase it passed in',
  ABORTED: "the caller's AbortSignal ended the attempt",
  INTERRUPTED: 'no result before SIGTERM, SIGINT or the last-resort timer ended the run',
  BAD_URL: 'check() was given something other than an http:// or https:// URL',
  BAD_STATUS: 'the status is not one --expect allows',
  BAD_RESPONSE: 'the answer is not HTTP/1.x',
  NO_CERT: 'no PEM certificate in the --cert file',
  BAD_CERT: 'a PEM block that is not a valid certificate',
  NOT_YET_VALID: 'a certificate that is not valid yet',
  EXPIRED: 'a certificate that has expired',
  EXPIRING: 'a certificate that expires within --cert-min-days',
  NOT_A_FILE: 'a FIFO, a device or a directory where a file was named',
  TOO_LARGE: 'a file over the size a certificate bundle could be',
  ERROR: 'a thrown value with no code of its own',
} as const

export type FailureCode = keyof typeof failureCodes

/** The codes of InputError: what could not be used, said in its message. */
const errorCodes = {
  HTTP_CHECK_ERR_USAGE: 'the command line',
  HTTP_CHECK_ERR_TARGET: 'a target read from the config',
} as const

type ErrorCode = keyof typeof errorCodes

/** Ends reading the command line or the config; its message is the line the user sees. */
export class InputError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'InputError'
    this.code = code
  }
}

/** A command line that cannot be used. */
export const usageError = (message: string) => new InputError('HTTP_CHECK_ERR_USAGE', message)
/** A target that cannot be made from the config. */
export const targetError = (message: string) => new InputError('HTTP_CHECK_ERR_TARGET', message)

export function hasCode(error: unknown, code: ErrorCode): error is InputError {
  return (error as { code?: unknown } | null)?.code === code
}

type NodeError = Error & {
  code?: string
  syscall?: string
  hostname?: string
  errors?: unknown[]
}

/** A network or file error in the words of a result line: the real cause first, never a stack. */
export function describeError(error: unknown): { code: string; reason: string } {
  if (!(error instanceof Error)) return { code: 'ERROR', reason: oneLine(String(error)) }
  const failure = error as NodeError
  // Happy eyeballs tried several addresses: name each, they may fail differently.
  if (Array.isArray(failure.errors) && failure.errors.length > 0) {
    const causes = failure.errors.map(describeError)
    return {
      code: causes[0]?.code ?? failure.code ?? 'ERROR',
      reason: joinReasons(causes.map((cause) => cause.reason)),
    }
  }
  const code = failure.code ?? 'ERROR'
  if (failure.syscall === 'getaddrinfo') {
    return { code, reason: `dns ${code} ${failure.hostname ?? ''}`.trimEnd() }
  }
  // OpenSSL's words hide behind a library path: keep the part that says what went wrong.
  const openssl = /SSL routines:[^:]*:([^:]+)/.exec(failure.message)?.[1]
  if (openssl !== undefined) return { code, reason: `tls ${code}: ${openssl}` }
  // Node's own words for a failed system call already lead with the cause:
  // `connect ECONNREFUSED 10.0.0.3:80`, `read ECONNRESET`.
  if (failure.syscall !== undefined) return { code, reason: oneLine(failure.message) }
  if (code.startsWith('ERR_SSL') || code.includes('CERT') || /TLS|SSL/.test(failure.message)) {
    // Node appends advice after a `;` (e.g. --use-system-ca); the cause comes first.
    return { code, reason: `tls ${code}: ${oneLine(failure.message.split(';')[0] ?? '')}` }
  }
  return { code, reason: `${code} ${oneLine(failure.message)}` }
}

/** `connect ECONNREFUSED 127.0.0.1:80, connect ECONNREFUSED ::1:80` → `connect ECONNREFUSED 127.0.0.1:80, ::1:80`. */
function joinReasons(reasons: readonly string[]): string {
  const distinct = [...new Set(reasons)]
  const lead = /^(\S+ \S+) /.exec(distinct[0] ?? '')?.[1]
  if (lead === undefined || !distinct.every((reason) => reason.startsWith(`${lead} `))) {
    return distinct.join(', ')
  }
  return `${lead} ${distinct.map((reason) => reason.slice(lead.length + 1)).join(', ')}`
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
