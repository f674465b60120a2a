// What the services use of this package; everything else stays inside it.
export { type AppOptions, createServiceApp } from './app.ts'
export { observe, SeriesHistogram } from './histogram.ts'
export { processMetrics, registryOf, useMetrics } from './metrics.ts'
export { serverOptions } from './options.ts'
export { type ProblemKind, sendProblem } from './problem.ts'
export { setResponseHeaders } from './responses.ts'
export { runService } from './run.ts'
export { createShutdown, type Shutdown, sendShuttingDown } from './shutdown.ts'
