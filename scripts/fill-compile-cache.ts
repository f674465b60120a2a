// Fills Node's compile cache in a production image (Dockerfile.api, Dockerfile.web), run as
// root in /app while the image is built: it starts the app as `node` (uid 1000: Node keeps one
// cache per uid) as the image runs it, waits for /health with http-check as the HEALTHCHECK
// does, and stops it. On exit each process writes V8's compiled code of what it ran
// (dist/server.js, http-check's cli.js) to the cache. The cache is then root's and read-only:
// every start reads it, none writes it.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const cache = process.argv[2] ?? '/app/.compile-cache'
const asNode = { uid: 1000, gid: 1000, stdio: 'inherit' } as const
const env = { ...process.env, NODE_COMPILE_CACHE: cache, HOST: '127.0.0.1', PORT: '8080' }

mkdirSync(cache)
chownSync(cache, asNode.uid, asNode.gid)
const app = spawn('node', ['dist/server.js'], { ...asNode, env: { ...env, LOG_LEVEL: 'warn' } })
const appExit = once(app, 'exit')
const check = spawn(
  'node',
  ['/opt/http-check/dist/cli.js', '--wait', '20s', 'http://127.0.0.1:8080/health'],
  { ...asNode, env },
)
const [checked] = await once(check, 'exit')
app.kill('SIGTERM')
const [stopped] = await appExit
if (checked !== 0 || stopped !== 0) {
  throw new Error(`the app did not start and stop cleanly: check ${checked}, app ${stopped}`)
}

// Root's from here on, readable by all: directories 755, files 644 (Node writes them 600).
const paths = [
  cache,
  ...readdirSync(cache, { recursive: true, encoding: 'utf8' }).map((entry) => join(cache, entry)),
]
let files = 0
for (const path of paths) {
  const isDirectory = statSync(path).isDirectory()
  if (!isDirectory) files += 1
  chownSync(path, 0, 0)
  chmodSync(path, isDirectory ? 0o755 : 0o644)
}
// One file per script: the server and http-check's cli.js at least.
if (files < 2) throw new Error(`the compile cache holds ${files} files: ${paths.join(', ')}`)
console.log(`compile cache: ${files} files in ${cache}`)
