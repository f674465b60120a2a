// The API's own problem kinds; problem+json itself is built in @numbers/service.
import type { ProblemKind } from '@numbers/service'
import type { UnhealthyCause } from './state.ts'

export const unhealthyProblem: ProblemKind = {
  status: 500,
  type: 'urn:numbers:problem:unhealthy',
  title: 'Service unhealthy',
}

export const startingProblem: ProblemKind = {
  status: 503,
  type: 'urn:numbers:problem:starting',
  title: 'Service starting',
}

/** /ready of an unhealthy API: the same problem, as 503 (out of rotation, not an error). */
export const notReadyProblem: ProblemKind = { ...unhealthyProblem, status: 503 }

/** The `detail` of an unhealthy answer: what made it so, in words a person and a grep can read. */
export function unhealthyDetail(cause: UnhealthyCause, failAfter: number): string {
  return cause === 'broken'
    ? 'Unhealthy: BROKEN is set (a bad release); it stays so until it restarts.'
    : `Unhealthy: the FAIL_AFTER=${failAfter} good calls are used up; it stays so until it restarts.`
}
