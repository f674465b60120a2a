// A network or file error in the words of a result line: the real cause first, never a stack.

type NodeError = Error & {
  code?: string
  syscall?: string
  hostname?: string
  errors?: unknown[]
}

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
