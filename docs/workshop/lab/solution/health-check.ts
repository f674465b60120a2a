// Lab solution: the HEALTHCHECK command. One GET to /health with a deadline;
// exit 0 when it answers 200, 1 otherwise (Docker reserves 2).
const port = process.env.PORT ?? '8080'
const url = `http://localhost:${port}/health`
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
  const body = (await response.text()).trim()
  console.log(`health-check: ${response.status} ${body}`)
  process.exit(response.status === 200 ? 0 : 1)
} catch (error) {
  console.log(`health-check: fail ${url}: ${(error as Error).message}`)
  process.exit(1)
}
