// The lab service (given): a tiny service whose health depends on its own memory use.
// GET /health: 200 while RSS stays under MAX_RSS_MB, 500 above it.
// GET /allocate?mb=N: holds N more MiB, so you can watch the check flip.
import { createServer } from 'node:http'

const MiB = 1024 * 1024
const maxRssMb = Number(process.env.MAX_RSS_MB ?? 200)
const port = Number(process.env.PORT ?? 8080)
if (!Number.isInteger(maxRssMb) || maxRssMb < 1) {
  console.error(`lab: MAX_RSS_MB must be a whole number of MiB, got "${process.env.MAX_RSS_MB}"`)
  process.exit(1)
}

const held: Buffer[] = []

createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://lab')
  if (url.pathname === '/health') {
    const rssMb = Math.round(process.memoryUsage.rss() / MiB)
    const healthy = rssMb <= maxRssMb
    response.writeHead(healthy ? 200 : 500, { 'content-type': 'text/plain' })
    response.end(`${healthy ? 'Ok' : 'Unhealthy'}: rss ${rssMb} MiB, limit ${maxRssMb} MiB\n`)
    return
  }
  if (url.pathname === '/allocate') {
    const mb = Math.min(Number(url.searchParams.get('mb') ?? 10) || 0, 1024)
    // Filled, so the pages are really in memory and count towards RSS.
    held.push(Buffer.alloc(mb * MiB, 1))
    const heldMb = held.reduce((sum, buffer) => sum + buffer.length, 0) / MiB
    response.writeHead(200, { 'content-type': 'text/plain' })
    response.end(`holding ${heldMb} MiB\n`)
    return
  }
  response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n')
}).listen(port, () => console.log(`lab: listening on ${port}, MAX_RSS_MB=${maxRssMb}`))

process.on('SIGTERM', () => process.exit(0))
