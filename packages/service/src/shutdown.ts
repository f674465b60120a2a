// Whether this process has been asked to stop. From that moment /ready answers 503,
// while everything else is still served for SHUTDOWN_DELAY_MS: the time a load
// balancer (Swarm's DNS, a Kubernetes Service's endpoints) needs to take the
// service out of rotation before it stops accepting connections.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { type ProblemKind, sendProblem } from './problem.ts'

const shuttingDownProblem: ProblemKind = {
  status: 503,
  type: 'urn:numbers:problem:shutting-down',
  title: 'Service shutting down',
}

export type Shutdown = {
  readonly isShuttingDown: () => boolean
  readonly begin: () => void
}

/** What /ready answers from SIGTERM on, in both services. */
export function sendShuttingDown(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(
    request,
    reply,
    shuttingDownProblem,
    'Shutting down: out of rotation, still serving until it stops accepting.',
  )
}

export function createShutdown(): Shutdown {
  let shuttingDown = false
  return {
    isShuttingDown: () => shuttingDown,
    begin: () => {
      shuttingDown = true
    },
  }
}
