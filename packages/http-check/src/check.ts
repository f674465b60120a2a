// http-check as a library, for the web's probe of the API: one HTTP (or TCP) check
// that never throws for a network failure, and the same words as the CLI's lines.

export { type CheckOptions, check, VERSION } from './http.ts'
export { formatResult } from './output.ts'
export type { CheckResult } from './result.ts'
export { parseExpect, type StatusRange } from './status.ts'
export { checkTcp } from './tcp.ts'
