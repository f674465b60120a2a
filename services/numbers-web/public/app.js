// Makes the numbers page better with JavaScript: the form's answer arrives
// without a reload and the API badge stays current. Without this file the
// form posts to / and the server renders the same words.
const UNAVAILABLE_TEXT = 'RNG service unavailable!'
const STATUS_POLL_MS = 3000
const REQUEST_TIMEOUT_MS = 10_000

const form = document.getElementById('rng-form')
const button = document.getElementById('rng-button')
const result = document.getElementById('result')
const badge = document.getElementById('api-status')

/** The number, or undefined whatever went wrong: a 503, a network error, a timeout. */
async function fetchNumber() {
  try {
    const response = await fetch('/api/number', {
      // The server's sign that this is the page's own script (src/same-site.ts).
      headers: { accept: 'application/json', 'x-numbers-page': '1' },
      cache: 'no-store',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    if (!response.ok) return undefined
    const body = await response.json()
    return Number.isInteger(body?.number) ? body.number : undefined
  } catch {
    return undefined
  }
}

function showResult(state, text) {
  result.dataset.state = state
  // Clear first so the same words twice (a second failure) are announced again.
  result.textContent = ''
  requestAnimationFrame(() => {
    result.textContent = text
  })
}

let busy = false
form.addEventListener('submit', async (event) => {
  event.preventDefault()
  if (busy) return
  busy = true
  button.setAttribute('aria-disabled', 'true')
  result.setAttribute('aria-busy', 'true')
  const number = await fetchNumber()
  if (number === undefined) showResult('unavailable', UNAVAILABLE_TEXT)
  else showResult('number', `Here it is: ${number}`)
  result.removeAttribute('aria-busy')
  button.removeAttribute('aria-disabled')
  busy = false
  refreshStatus()
})

const apiStates = new Set(['healthy', 'starting', 'unhealthy', 'unreachable'])

async function refreshStatus() {
  try {
    const response = await fetch('/api/status', {
      cache: 'no-store',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    const body = await response.json()
    if (!apiStates.has(body?.api)) return
    badge.dataset.state = body.api
    badge.textContent = body.api
  } catch {
    // The web itself is out of reach; the badge keeps its last word until it is back.
  }
}

function pollStatus() {
  if (!document.hidden) refreshStatus()
  setTimeout(pollStatus, STATUS_POLL_MS)
}
setTimeout(pollStatus, STATUS_POLL_MS)
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) refreshStatus()
})
