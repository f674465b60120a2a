// Whether this process has been asked to stop. From that moment /ready answers 503,
// while everything else is still served for SHUTDOWN_DELAY_MS: the time a load
// balancer (Swarm's DNS, a Kubernetes Service's endpoints) needs to take the
// service out of rotation before it stops accepting connections.
export type Shutdown = {
  readonly isShuttingDown: () => boolean
  readonly begin: () => void
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
