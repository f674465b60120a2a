// Lab: refuse to start when there is too little memory.
// TODO 1: read MIN_MEMORY_MB from the environment (default 128).
// TODO 2: find how much memory this process may use. Hint: in a container
//         os.totalmem() reports the host; process.constrainedMemory() reports
//         the cgroup limit set by `docker run --memory`.
// TODO 3: exit 1 with one clear line when it is less than MIN_MEMORY_MB, else exit 0.
process.exit(0)
