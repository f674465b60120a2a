// Another site against the web, in Debian's chromium over plain HTTP, with two host names
// (both mapped to loopback by chromium itself): browsers send no Sec-Fetch-Site there, so
// the web must tell its own page from evil.test's by Origin and by its page header.
import { createServer } from 'node:http'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { listenForTest, startStubApi } from '../../../test/helpers/servers.ts'
import { startWeb } from '../../../tools/processes.ts'
import { chromiumRunsHere, launchChromium } from './browser.ts'

/** An API that always has a number, and counts the calls that spend one. */
async function countingApi() {
  const api = await startStubApi((request, response) => {
    if (request.url === '/rng') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('42')
    } else response.writeHead(200, { 'content-type': 'text/plain' }).end('Ready')
  })
  return { ...api, calls: () => api.requests.filter((path) => path === '/rng').length }
}

/** evil.test's page: two <img>, a no-cors fetch, then a form that posts itself. */
function attackPage(victim: string): string {
  return `<!doctype html>
<title>evil</title>
<img id="first" src="${victim}/api/number?img=1">
<img id="second" src="${victim}/api/number?img=2">
<form id="form" method="post" action="${victim}/"></form>
<script>
  const settled = (img) =>
    new Promise((resolve) => {
      if (img.complete) resolve()
      img.onload = img.onerror = resolve
    })
  Promise.all([
    settled(document.getElementById('first')),
    settled(document.getElementById('second')),
    fetch('${victim}/api/number?fetch=1', { mode: 'no-cors' }).catch(() => {}),
  ]).then(() => document.getElementById('form').submit())
</script>`
}

describe.skipIf(!chromiumRunsHere)('another site over plain HTTP, in chromium', () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await launchChromium([
      '--host-resolver-rules=MAP evil.test 127.0.0.1, MAP victim.test 127.0.0.1',
      // Plain HTTP stays plain HTTP, as in compose.
      '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
    ])
  })

  afterAll(async () => {
    await browser?.close()
  })

  async function victimAndEvil() {
    const api = await countingApi()
    const web = await startWeb({ env: { RNG_API_URL: api.rngUrl, API_STATUS_CACHE_MS: '0' } })
    onTestFinished(async () => {
      await web.stop()
    })
    const victim = `http://victim.test:${web.port}`
    const evilPort = await listenForTest(
      createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(victim))
      }),
    )
    return { api, victim, evil: `http://evil.test:${evilPort}` }
  }

  it("evil.test's <img> tags, no-cors fetch and auto-submitted form spend none of the API's calls", async () => {
    const { api, victim, evil } = await victimAndEvil()
    const context = await browser.newContext()
    onTestFinished(() => context.close())
    const page = await context.newPage()
    const sentToVictim: string[] = []
    page.on('request', (request) => {
      if (request.url().startsWith(victim))
        sentToVictim.push(`${request.method()} ${request.url()}`)
    })

    const posted = page.waitForResponse(
      (response) => response.url() === `${victim}/` && response.request().method() === 'POST',
    )
    await page.goto(evil)
    const answer = await posted
    // The form posted after both images and the fetch had their answers: all were sent.
    expect(sentToVictim).toEqual(
      expect.arrayContaining([
        `GET ${victim}/api/number?img=1`,
        `GET ${victim}/api/number?img=2`,
        `GET ${victim}/api/number?fetch=1`,
        `POST ${victim}/`,
      ]),
    )
    expect(answer.status()).toBe(403)
    expect(await answer.json()).toMatchObject({ type: 'urn:numbers:problem:cross-site' })
    expect(api.calls()).toBe(0)
  })

  it('on victim.test itself, the button (JavaScript) and the form (no JavaScript) each get a number', async () => {
    const { api, victim } = await victimAndEvil()

    const withScript = await browser.newContext()
    onTestFinished(() => withScript.close())
    const page = await withScript.newPage()
    await page.goto(victim)
    await page.getByRole('button', { name: 'Get a random number' }).click()
    await expect.poll(() => page.locator('#result').textContent()).toBe('Here it is: 42')
    expect(api.calls()).toBe(1)

    const withoutScript = await browser.newContext({ javaScriptEnabled: false })
    onTestFinished(() => withoutScript.close())
    const plain = await withoutScript.newPage()
    await plain.goto(victim)
    const loaded = plain.waitForEvent('load')
    await plain.getByRole('button', { name: 'Get a random number' }).click()
    await loaded
    expect(await plain.locator('#result').textContent()).toBe('Here it is: 42')
    expect(api.calls()).toBe(2)
  })
})
