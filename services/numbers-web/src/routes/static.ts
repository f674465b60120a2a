// GET /static/<file>: the page's script, stylesheet and icon, from memory.
import type { FastifyInstance } from 'fastify'
import type { Assets } from '../assets.ts'

export function staticRoute(app: FastifyInstance, assets: Assets): void {
  app.get<{ Params: { file: string } }>('/static/:file', (request, reply) => {
    const asset = assets.files.get(request.params.file)
    if (!asset) return reply.callNotFound()
    return (
      reply
        .type(asset.contentType)
        // The page links with ?v=<content hash>: a changed file gets a new URL.
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(asset.body)
    )
  })
}
