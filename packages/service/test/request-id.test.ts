import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { requestIdOf } from '../src/request-id.ts'

describe('a request id', () => {
  it('is made on first use and stays the same for that request', () => {
    const request = new IncomingMessage(new Socket())
    const id = requestIdOf(request)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(requestIdOf(request)).toBe(id)
  })

  it('differs between requests', () => {
    const ids = Array.from({ length: 100 }, () => requestIdOf(new IncomingMessage(new Socket())))
    expect(new Set(ids).size).toBe(100)
  })
})
