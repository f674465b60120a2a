// The one page: a heading, a button in a plain form (it works without
// JavaScript), the result and the API's badge. public/app.js upgrades it in place.
import type { ApiHealth } from './api-status.ts'
import type { AssetName } from './assets.ts'
import { html } from './html.ts'
import type { RngOutcome } from './rng-client.ts'

// public/app.js writes the same words; keep them in step.
export const UNAVAILABLE_TEXT = 'RNG service unavailable!'
export const numberText = (number: number): string => `Here it is: ${number}`

export type PageOptions = {
  /** The outcome of this request's call to the API; none on a plain GET. */
  readonly outcome?: RngOutcome
  readonly api: ApiHealth
  readonly assetUrls: Readonly<Record<AssetName, string>>
}

export function renderPage({ outcome, api, assetUrls }: PageOptions): string {
  const result =
    outcome === undefined
      ? { state: 'empty', text: 'No number yet.' }
      : outcome.ok
        ? { state: 'number', text: numberText(outcome.number) }
        : { state: 'unavailable', text: UNAVAILABLE_TEXT }
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Numbers</title>
<meta name="description" content="Random numbers from the numbers API, and what the page does when the API fails.">
<link rel="icon" href="${assetUrls['favicon.svg']}" type="image/svg+xml">
<link rel="stylesheet" href="${assetUrls['style.css']}">
<script type="module" src="${assetUrls['app.js']}"></script>
</head>
<body>
<main>
  <h1>Random Number Generator</h1>
  <p class="intro">A number from 0 to 99, fetched from the numbers API by this web server.</p>
  <form id="rng-form" method="post" action="/">
    <button id="rng-button" type="submit">Get a random number</button>
  </form>
  <p id="result" class="result" data-state="${result.state}" role="status" aria-live="polite">${result.text}</p>
  <p class="api">Numbers API: <span id="api-status" class="badge" data-state="${api}">${api}</span></p>
</main>
</body>
</html>
`.value
}
