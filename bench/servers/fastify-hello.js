// The start-up baseline: the smallest Fastify app that answers 200.
import Fastify from 'fastify'

const app = Fastify()
app.get('/health', async () => 'Ok')
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
