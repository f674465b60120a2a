// A service's `dist/server.js` as one file (run from the service's folder by its `build`):
// what the images, `start`, the tests and the benchmarks run. Importing ~420 modules one by
// one (resolve, read, compile, link) took longer than starting a minimal Fastify app; one
// file starts faster than that and takes less memory. tsc still compiles the rest of src/
// to dist/ for the package's exports.
import { createRequire, isBuiltin } from 'node:module'
import { build, type Plugin } from 'esbuild'

/**
 * Node's own modules are required, never imported: an `import` of `node:http` builds its
 * ES module facade, which reads every export, and one of them loads Node's bundled undici
 * (nodejs/node#59686): ~14 MiB and ~40 ms that a `require` does not cost.
 */
const builtinsRequired: Plugin = {
  name: 'builtins-required',
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/]+$/ }, ({ path, kind }) => {
      if (!isBuiltin(path)) return undefined
      if (kind === 'import-statement') return { path, namespace: 'builtin' }
      return { path, external: true }
    })
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)})`,
      loader: 'js',
    }))
  },
}

/**
 * pino runs transports (pino-pretty, in development) in a worker thread that loads these
 * files by path. They are bundled beside the server, and pino finds them through
 * `globalThis.__bundlerPathsOverrides` (pino's docs/bundling.md). Left out of the bundle,
 * pino cost 7 MiB more RSS at idle.
 */
const pino = createRequire(new URL('../packages/service/package.json', import.meta.url))
const pinoWorker = pino.resolve('pino/lib/worker.js')
const pinoFiles = {
  'pino-worker': pinoWorker,
  'pino/file': pino.resolve('pino/file.js'),
  'thread-stream-worker': createRequire(pinoWorker).resolve('thread-stream/lib/worker.js'),
}
const outName = (id: string) => id.replace('/', '-')
const overrides = Object.keys(pinoFiles)
  .map((id) => `${JSON.stringify(id)}: __path(${JSON.stringify(`./${outName(id)}.js`)})`)
  .join(', ')

await build({
  entryPoints: {
    server: 'src/server.ts',
    ...Object.fromEntries(Object.entries(pinoFiles).map(([id, path]) => [outName(id), path])),
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // The workspace packages from their source, like every other dependency: one graph.
  conditions: ['numbers-source'],
  banner: {
    js: [
      // The CommonJS packages (most of them) call `require`, which an ES module lacks.
      "import { createRequire as __createRequire } from 'node:module';",
      'const require = __createRequire(import.meta.url);',
      "const __path = (file) => require('node:url').fileURLToPath(new URL(file, import.meta.url));",
      `globalThis.__bundlerPathsOverrides = { ${overrides} };`,
    ].join('\n'),
  },
  // Whitespace and syntax only: names stay, so the stack traces in the logs still read. The
  // source is held in memory as long as the process runs (web: 3.1 → 2.1 MB, 4.7 MiB less
  // RSS at idle).
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [builtinsRequired],
  legalComments: 'none',
  logLevel: 'warning',
})
