// Lab solution: refuse to start when the machine (or the container's memory
// limit) offers less than MIN_MEMORY_MB. Exit 0 = go, exit 1 = do not start.
import { totalmem } from 'node:os'

const MiB = 1024 * 1024
const minMemoryMb = Number(process.env.MIN_MEMORY_MB ?? 128)
if (!Number.isInteger(minMemoryMb) || minMemoryMb < 1) {
  console.error(
    `dependency-check: MIN_MEMORY_MB must be a whole number, got "${process.env.MIN_MEMORY_MB}"`,
  )
  process.exit(1)
}

// In a container, os.totalmem() is the host's memory; the cgroup limit
// (docker run --memory) is what this process may really use.
const constrained = process.constrainedMemory()
const limitBytes = constrained > 0 && constrained < totalmem() ? constrained : totalmem()
const availableMb = Math.floor(limitBytes / MiB)

if (availableMb < minMemoryMb) {
  console.error(`dependency-check: fail: ${availableMb} MiB available, need ${minMemoryMb} MiB`)
  process.exit(1)
}
console.log(`dependency-check: ok: ${availableMb} MiB available, need ${minMemoryMb} MiB`)
