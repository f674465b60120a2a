import { describe, expect, it } from 'vitest'
import { startStubApi } from '../../../../test/helpers/servers.ts'
import { answered, buildTestApp, fakeProbe, listenWeb } from '../helpers.ts'

function stubAnswering(status: number, body: string) {
  return startStubApi((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(body)
  })
}

describe('GET /', () => {
  it('shows a page titled "Numbers" with the heading, the button and an empty result', async () => {
    const { probe } = fakeProbe(answered(200))
    const app = buildTestApp({}, { probe })
    const response = await app.inject('/')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(response.body).toContain('<title>Numbers</title>')
    expect(response.body).toContain('<h1>Random Number Generator</h1>')
    expect(response.body).toMatch(/<button[^>]*type="submit"[^>]*>Get a random number<\/button>/)
    expect(response.body).toContain('<form id="rng-form" method="post" action="/">')
    expect(response.body).toContain('name="viewport"')
    expect(response.body).toContain('No number yet.')
  })

  it('announces the result politely to screen readers', async () => {
    const { probe } = fakeProbe(answered(200))
    const app = buildTestApp({}, { probe })
    const { body } = await app.inject('/')
    expect(body).toMatch(/<p id="result"[^>]*aria-live="polite"/)
  })

  it('shows the API badge as the server last saw it', async () => {
    const { probe } = fakeProbe(answered(503), answered(500))
    const app = buildTestApp({}, { probe })
    const { body } = await app.inject('/')
    expect(body).toContain('data-state="unhealthy">unhealthy</span>')
  })

  it("does not spend one of the API's good calls", async () => {
    const api = await stubAnswering(200, '42')
    const { probe } = fakeProbe(answered(200))
    const app = buildTestApp({ RNG_API_URL: api.rngUrl }, { probe })
    await app.inject('/')
    await app.inject('/')
    expect(api.requests).toEqual([])
  })

  it('has no inline script, style or event handler', async () => {
    const { probe } = fakeProbe(answered(200))
    const app = buildTestApp({}, { probe })
    const { body } = await app.inject('/')
    const scripts = body.match(/<script[^>]*>/g) ?? []
    expect(scripts).toHaveLength(1)
    expect(scripts[0]).toMatch(/ src="\/static\/app\.js\?v=[0-9a-f]{12}"/)
    expect(body).toMatch(/<script[^>]*><\/script>/)
    expect(body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i)
  })

  // Over a socket: the server adds the security headers where Node writes the head.
  it('comes with a strict Content-Security-Policy and the other security headers', async () => {
    const { probe } = fakeProbe(answered(200))
    const web = await listenWeb({}, { probe })
    const response = await fetch(`${web}/`)
    await response.text()
    const headers = Object.fromEntries(response.headers)
    const csp = String(headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("script-src-attr 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('upgrade-insecure-requests')
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(headers['cache-control']).toBe('no-store')
  })
})

describe('POST / (the form, without JavaScript)', () => {
  it('shows "Here it is: N" with the number the API gave', async () => {
    const api = await stubAnswering(200, '42')
    const { probe } = fakeProbe(answered(200))
    const app = buildTestApp({ RNG_API_URL: api.rngUrl }, { probe })
    const response = await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('data-state="number"')
    expect(response.body).toContain('Here it is: 42')
    expect(api.requests).toEqual(['/rng'])
  })

  it('shows "RNG service unavailable!" when the API fails, and the page still works', async () => {
    const api = await stubAnswering(500, '{}')
    const { probe } = fakeProbe(answered(503), answered(500))
    const app = buildTestApp({ RNG_API_URL: api.rngUrl }, { probe })
    const response = await app.inject({ method: 'POST', url: '/' })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('RNG service unavailable!')
    expect(response.body).toContain('<button id="rng-button" type="submit">')
    expect(response.body).toContain('data-state="unhealthy">unhealthy</span>')
  })
})

describe('GET /static/*', () => {
  it('serves the script and stylesheet the page links, cacheable for a year', async () => {
    const { probe } = fakeProbe(answered(200))
    const app = buildTestApp({}, { probe })
    const { body } = await app.inject('/')
    const links = [...body.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((match) => match[1])
    expect(links).toHaveLength(3)
    const types: Record<string, string> = {
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
      svg: 'image/svg+xml',
    }
    const web = await listenWeb({}, { probe })
    for (const link of links) {
      const response = await fetch(`${web}${link}`)
      await response.arrayBuffer()
      expect(response.status).toBe(200)
      const extension = link?.split('?')[0]?.split('.').pop() ?? ''
      expect(response.headers.get('content-type')).toBe(types[extension])
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(response.headers.get('content-security-policy')).not.toBeNull()
    }
  })

  it('an unknown file is a 404 problem', async () => {
    const web = await listenWeb({})
    const response = await fetch(`${web}/static/..%2Fpackage.json`)
    await response.text()
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    expect(response.headers.get('content-security-policy')).not.toBeNull()
  })
})
