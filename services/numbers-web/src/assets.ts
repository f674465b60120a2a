// The page's static files (public/), read once at start. Their URLs carry a
// content hash, so browsers may cache them for a year and still see a new release.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

export type Asset = { readonly body: Buffer; readonly contentType: string }

const contentTypes = {
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
} as const

export type AssetName = keyof typeof contentTypes

export type Assets = {
  /** By file name, as served under /static/. */
  readonly files: ReadonlyMap<string, Asset>
  /** `/static/app.js?v=<hash>`: what the page links to. */
  readonly urls: Readonly<Record<AssetName, string>>
}

/** public/ sits next to src/ and dist/ alike. */
const publicDir = new URL('../public/', import.meta.url)

export function loadAssets(dir: URL = publicDir): Assets {
  const files = new Map<string, Asset>()
  const urls: Record<string, string> = {}
  for (const [name, contentType] of Object.entries(contentTypes)) {
    const body = readFileSync(new URL(name, dir))
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
    files.set(name, { body, contentType })
    urls[name] = `/static/${name}?v=${hash}`
  }
  return { files, urls: urls as Record<AssetName, string> }
}
