// numbers-web as a process: config from env + settings.json, listen, graceful shutdown.
import { runService } from '@numbers/service'
import { buildApp, webKeys } from './app.ts'

await runService({
  name: 'numbers-web',
  keys: webKeys,
  build: (config, logger, shutdown) => buildApp({ config, logger, shutdown }),
})
