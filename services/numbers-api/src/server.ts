// numbers-api as a process: config from env + settings.json, listen, graceful shutdown.
import { runService } from '@numbers/service'
import { buildApp } from './app.ts'

await runService({
  name: 'numbers-api',
  build: (config, logger, shutdown) => buildApp({ config, logger, shutdown }),
})
