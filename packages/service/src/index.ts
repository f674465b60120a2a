export {
  type ConnectionCounts,
  createBoundedServer,
  KEEP_ALIVE_TIMEOUT_MS,
  logDisconnects,
  MAX_CONNECTIONS,
  MAX_PIPELINED,
  MAX_UNREAD_BYTES,
} from './connections.ts'
export { observe, type Series, SeriesHistogram } from './histogram.ts'
export { type LogFormat, loggerOptions } from './logger.ts'
export { processMetrics, registryOf, UNMATCHED_ROUTE, useMetrics } from './metrics.ts'
export { type ServerOptionsInput, serverOptions } from './options.ts'
export {
  PROBLEM_CONTENT_TYPE,
  type Problem,
  type ProblemKind,
  problemOf,
  sendProblem,
  useProblemResponses,
} from './problem.ts'
export { requestIdOf } from './request-id.ts'
export { setResponseHeaders } from './responses.ts'
export {
  listen,
  type RunOptions,
  runService,
} from './run.ts'
export { createShutdown, type Shutdown, sendShuttingDown } from './shutdown.ts'
