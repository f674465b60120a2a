// The routes that spend one of the API's good calls answer only this site's own page:
// another site's <img src="/api/number">, no-cors fetch or auto-submitting form would
// otherwise spend them through a visitor's browser. Browsers send Sec-Fetch-Site only to
// HTTPS and localhost origins, so over plain HTTP the checks below are what hold:
// - a request that carries Origin (every POST from a browser) must come from this host;
// - a browser asking /api/number must send PAGE_HEADER, which public/app.js sends and which
//   an <img>, a form or a no-cors fetch cannot (a cors fetch with it needs a preflight,
//   which this server never grants).
// Clients that are not browsers (curl, scripts) are no one's confused deputy: they are served.
import { sendProblem } from '@numbers/service'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { crossSiteProblem } from './problems.ts'

/** Sent by the page's own script with every call to /api/number. */
export const PAGE_HEADER = 'x-numbers-page'

export type CrossSiteOptions = {
  /** Browsers must send PAGE_HEADER (routes only the page's script calls). */
  readonly needsPageHeader: boolean
}

/** Why a request looks like another site's, or undefined when it looks like our own. */
export function crossSiteReason(
  request: FastifyRequest,
  { needsPageHeader }: CrossSiteOptions,
): string | undefined {
  const { headers } = request
  const site = headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `sec-fetch-site ${site}`
  }
  const origin = headers.origin
  if (origin !== undefined && hostOf(origin) !== headers.host?.toLowerCase()) {
    return 'origin is another host'
  }
  if (needsPageHeader && isBrowser(headers['user-agent']) && headers[PAGE_HEADER] !== '1') {
    return `browser without ${PAGE_HEADER}`
  }
  return undefined
}

/**
 * An onRequest hook answering 403 problem+json to requests from another site. A callback
 * hook: an async one costs a promise on every request the page itself sends.
 */
export function refuseCrossSite(options: CrossSiteOptions) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const reason = crossSiteReason(request, options)
    if (reason === undefined) {
      done()
      return
    }
    request.log.info({ reason }, 'cross-site request refused')
    sendProblem(
      request,
      reply,
      crossSiteProblem,
      "Numbers are only served to this site's own page.",
    )
  }
}

/** `host[:port]` of an Origin header; `null` (sandboxed frames, some redirects) has none. */
function hostOf(origin: string): string | undefined {
  try {
    const url = new URL(origin)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : undefined
  } catch {
    return undefined
  }
}

/**
 * Every browser's User-Agent starts with `Mozilla/`, and no page can change the one its
 * visitor's browser sends (a cors fetch that tries needs a preflight, never granted).
 */
function isBrowser(userAgent: string | undefined): boolean {
  return userAgent?.startsWith('Mozilla/') ?? false
}
