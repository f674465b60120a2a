// The web takes its security headers from @fastify/helmet once and its server adds them to
// every answer: over a real socket, every response carries exactly what the plugin would set.
import helmet from '@fastify/helmet'
import { serverOptions } from '@numbers/service'
import Fastify from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { helmetHeaders, useHelmetHeaders } from '../src/security-headers.ts'

const options = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"] } },
  strictTransportSecurity: false,
} as const

async function listening(app: ReturnType<typeof Fastify>) {
  onTestFinished(() => app.close())
  return app.listen({ port: 0, host: '127.0.0.1' })
}

/** The headers a response carries, without the ones Node and Fastify set themselves. */
async function securityHeadersOf(url: string) {
  const response = await fetch(url)
  await response.text()
  const own = ['content-type', 'content-length', 'date', 'connection', 'keep-alive']
  return Object.fromEntries([...response.headers].filter(([name]) => !own.includes(name)))
}

describe('security headers', () => {
  it('every response, a 404 too, carries exactly the headers @fastify/helmet sets', async () => {
    const withPlugin = Fastify()
    withPlugin.register(helmet, options)
    withPlugin.get('/', () => 'page')
    const withTable = Fastify(serverOptions({ logger: false, requestTimeoutMs: 1000 }))
    useHelmetHeaders(withTable, options)
    withTable.get('/', () => 'page')
    const [pluginUrl, tableUrl] = await Promise.all([listening(withPlugin), listening(withTable)])

    const expected = await securityHeadersOf(`${pluginUrl}/`)
    expect(expected['content-security-policy']).toBe("default-src 'self'")
    expect(await securityHeadersOf(`${tableUrl}/`)).toEqual(expected)
    expect(await securityHeadersOf(`${tableUrl}/missing`)).toEqual(
      await securityHeadersOf(`${pluginUrl}/missing`),
    )
  })

  it('the table is what the plugin sets, taken once', async () => {
    const headers = await helmetHeaders(options)
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(headers['strict-transport-security']).toBeUndefined()
  })
})
