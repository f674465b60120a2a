// http-check as a library, for the web's probe of the API: one HTTP check that
// never throws for a network failure, and the same words as the CLI's lines.

export { nowMs } from './clock.ts'
export { describeError } from './errors.ts'
export { type CheckOptions, check, VERSION } from './http.ts'
export { MAX_BODY_BYTES } from './http-response.ts'
export { isLoopbackName } from './localhost.ts'
export { formatResult, printable } from './output.ts'
export type { CheckFailure, CheckResult, CheckSuccess, ResponseSummary, Timings } from './result.ts'
export {
  DEFAULT_EXPECT,
  describeExpect,
  isExpected,
  parseExpect,
  type StatusRange,
} from './status.ts'
export { checkTcp, DEFAULT_TIMEOUT_MS } from './tcp.ts'
