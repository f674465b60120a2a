// The two parsers every reader of settings and command lines shares, so that an
// integer or a URL means the same thing to the services, to their config files and
// to http-check. No imports: http-check bundles this into its start-up path.

const INTEGER = /^-?(0|[1-9][0-9]*)$/

/** A base-10 integer written plainly (no sign `+`, no leading zeros, no exponent) within min-max. */
export function parseInteger(text: string, min: number, max: number): number | undefined {
  if (!INTEGER.test(text)) return undefined
  const value = Number(text)
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined
}

/** An absolute URL whose scheme is one of `protocols` (e.g. `['http:', 'https:']`), with a host. */
export function parseUrl(text: string, protocols: readonly string[]): URL | undefined {
  const url = URL.parse(text)
  if (url === null || !protocols.includes(url.protocol) || url.hostname === '') return undefined
  return url
}
