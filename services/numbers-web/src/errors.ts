// numbers-web's codes in one table: why a call to the API's /rng gave no number.
// A failed call is a value with one of these codes, never a throw (rng-client.ts);
// the page shows each as "RNG service unavailable!", the logs and /metrics tell
// them apart. Known by `code`, as fastify's errors are.

const rngFailureCodes = {
  NUMBERS_ERR_RNG_TIMEOUT:
    'no answer within RNG_API_TIMEOUT_MS (or no connection within the connect timeout)',
  NUMBERS_ERR_RNG_UNREACHABLE: 'no answer: refused, reset, or any other error on the way',
  NUMBERS_ERR_RNG_STATUS: 'an answer other than 200',
  NUMBERS_ERR_RNG_BODY: 'a 200 whose body is not an integer 0-99',
  NUMBERS_ERR_RNG_TOO_LARGE: 'a body over MAX_RNG_BODY_BYTES',
  NUMBERS_ERR_RNG_BUSY: 'too many calls already waiting for the API; refused without asking it',
  NUMBERS_ERR_RNG_CANCELLED: 'the client that asked went away; the call was cancelled',
} as const

export type RngFailureCode = keyof typeof rngFailureCodes

/** The reason a call is aborted when its client leaves; rng-client.ts knows it by its code. */
export class ClientGoneError extends Error {
  readonly code = 'NUMBERS_ERR_RNG_CANCELLED' satisfies RngFailureCode
  constructor() {
    super('the client went away')
    this.name = 'ClientGoneError'
  }
}
