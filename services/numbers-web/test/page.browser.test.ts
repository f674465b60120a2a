// The page in Debian's chromium against real numbers-api and numbers-web
// processes (dist/), with JavaScript and without.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { DEFAULT_FAIL_AFTER } from '../../../test/helpers/config.ts'
import { startApi, startWeb } from '../../../tools/processes.ts'
import { chromiumRunsHere, launchChromium } from './browser.ts'

const repoRoot = join(import.meta.dirname, '..', '..', '..')
const screenshots = join(repoRoot, '.screenshots')
const docsScreenshot = join(repoRoot, 'docs/img/numbers-web.png')
const viewport = { width: 800, height: 600 }
const numberShown = /^Here it is: \d{1,2}$/

describe.skipIf(!chromiumRunsHere)('the numbers page in chromium', () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await launchChromium()
    await mkdir(screenshots, { recursive: true })
  })

  afterAll(async () => {
    await browser?.close()
  })

  /** A fresh API (DEFAULT_FAIL_AFTER good numbers) and a web in front of it, stopped when the test ends. */
  async function startStack(): Promise<string> {
    const api = await startApi()
    onTestFinished(async () => {
      await api.stop()
    })
    const web = await startWeb({ env: { RNG_API_URL: `${api.url}/rng` } })
    onTestFinished(async () => {
      await web.stop()
    })
    return web.url
  }

  const result = (page: Page) => page.locator('#result')
  const badge = (page: Page) => page.locator('#api-status')
  const button = (page: Page) => page.getByRole('button', { name: 'Get a random number' })

  it(`with JavaScript: ${DEFAULT_FAIL_AFTER} clicks show ${DEFAULT_FAIL_AFTER} numbers, the next "RNG service unavailable!" and the badge turns unhealthy`, async () => {
    const url = await startStack()
    const context = await browser.newContext({ viewport })
    onTestFinished(() => context.close())
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text())
    })

    await page.goto(url)
    expect(await page.title()).toBe('Numbers')
    await expect.poll(() => badge(page).textContent()).toBe('healthy')

    for (let click = 1; click <= DEFAULT_FAIL_AFTER; click += 1) {
      const [response] = await Promise.all([
        page.waitForResponse((answer) => answer.url().endsWith('/api/number')),
        button(page).click(),
      ])
      expect(response.status()).toBe(200)
      const { number } = (await response.json()) as { number: number }
      await expect.poll(() => result(page).textContent()).toBe(`Here it is: ${number}`)
      if (click === 1 && process.env.UPDATE_DOCS_SCREENSHOT === '1') {
        await mkdir(join(docsScreenshot, '..'), { recursive: true })
        await page.mouse.move(0, 0)
        await page.screenshot({ path: docsScreenshot })
      }
    }
    expect(page.url()).toBe(`${url}/`)

    const [failed] = await Promise.all([
      page.waitForResponse((answer) => answer.url().endsWith('/api/number')),
      button(page).click(),
    ])
    expect(failed.status()).toBe(503)
    await expect.poll(() => result(page).textContent()).toBe('RNG service unavailable!')
    await expect.poll(() => badge(page).textContent(), { timeout: 10_000 }).toBe('unhealthy')
    await expect.poll(() => button(page).getAttribute('aria-disabled')).toBeNull()

    await page.screenshot({ path: join(screenshots, 'numbers-web-js.png') })
    // The one expected console error is the browser reporting the 503 itself.
    expect(pageErrors.filter((text) => !text.includes('503'))).toEqual([])
  })

  it(`without JavaScript: the form shows ${DEFAULT_FAIL_AFTER} numbers, then "RNG service unavailable!" and an unhealthy badge`, async () => {
    const url = await startStack()
    const context = await browser.newContext({ viewport, javaScriptEnabled: false })
    onTestFinished(() => context.close())
    const page = await context.newPage()

    await page.goto(url)
    expect(await badge(page).textContent()).toBe('healthy')
    expect(await result(page).textContent()).toBe('No number yet.')

    const submit = async () => {
      const loaded = page.waitForEvent('load')
      await button(page).click()
      await loaded
      return result(page).textContent()
    }
    for (let click = 1; click <= DEFAULT_FAIL_AFTER; click += 1) {
      expect(await submit()).toMatch(numberShown)
    }
    expect(await submit()).toBe('RNG service unavailable!')
    expect(await badge(page).textContent()).toBe('unhealthy')

    await page.screenshot({ path: join(screenshots, 'numbers-web-nojs.png') })
  })
})
