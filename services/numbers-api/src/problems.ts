// The API's own problem kinds; problem+json itself is built in @numbers/service.
import type { ProblemKind } from '@numbers/service'

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

export const notReadyProblem: ProblemKind = {
  status: 503,
  type: 'urn:numbers:problem:unhealthy',
  title: 'Service unhealthy',
}
