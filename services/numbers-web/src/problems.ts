// The web's own problem kinds; problem+json itself is built in @numbers/service.
import type { ProblemKind } from '@numbers/service'

export const rngUnavailableProblem: ProblemKind = {
  status: 503,
  type: 'urn:numbers:problem:rng-unavailable',
  title: 'RNG service unavailable',
}

export const apiNotReadyProblem: ProblemKind = {
  status: 503,
  type: 'urn:numbers:problem:dependency-not-ready',
  title: 'Dependency not ready',
}

export const crossSiteProblem: ProblemKind = {
  status: 403,
  type: 'urn:numbers:problem:cross-site',
  title: 'Cross-site request refused',
}
