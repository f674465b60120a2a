// `node first-200.cjs COMMAND...`: runs COMMAND and prints the milliseconds from spawning it
// to its first 200 on http://127.0.0.1:$PORT/health, then stops it. The same on the host and
// inside a container (CommonJS and no dependency, so it runs from any folder). Asks every
// millisecond: a connection refused costs next to nothing, and a coarser poll rounds every
// figure up to its step.
const { spawn } = require('node:child_process')
const http = require('node:http')

const port = Number(process.env.PORT || 80)
const [command, ...args] = process.argv.slice(2)
const deadlineMs = 20_000

function status() {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    request.on('error', () => resolve(0))
  })
}

const started = performance.now()
const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] })
const exited = new Promise((resolve) => child.on('exit', resolve))

async function main() {
  while ((await status()) !== 200) {
    if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}`)
    if (performance.now() - started > deadlineMs) throw new Error(`no 200 in ${deadlineMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  process.stdout.write(`${(performance.now() - started).toFixed(1)}\n`)
  child.kill('SIGTERM')
  await exited
}

main().catch((error) => {
  child.kill('SIGKILL')
  process.stderr.write(`first-200: ${error.message}\n`)
  process.exitCode = 1
})
