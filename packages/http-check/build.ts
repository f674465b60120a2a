// `pnpm build`: the command as one CommonJS file, the library as one ES module.
// One file because each module in a start-up graph is one more file to read,
// compile and link on every check; CommonJS because loading the entry as an ES
// module costs ~0.5 MiB more RSS. The source stays split by job in src/.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { type BuildOptions, build } from 'esbuild'

const dist = new URL('./dist/', import.meta.url)
rmSync(dist, { recursive: true, force: true })
mkdirSync(dist)
const shared: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  // The workspace's config package from its source, inlined: nothing to resolve at run time.
  conditions: ['numbers-source'],
  legalComments: 'none',
  minify: true,
  logLevel: 'warning',
}
await build({
  ...shared,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  format: 'cjs',
  // In the bundle the command is always the entry point.
  define: { 'import.meta.main': 'true' },
})
await build({ ...shared, entryPoints: ['src/check.ts'], outfile: 'dist/check.mjs', format: 'esm' })
// dist/cli.js is CommonJS inside a "type": "module" package: this says so to Node.
writeFileSync(new URL('package.json', dist), `${JSON.stringify({ type: 'commonjs' })}\n`)
