// Where the Swarm guide lives, in both languages; read with the workshop doc-test's parser.
import { join } from 'node:path'
import { repoRoot } from '../../e2e/support/docker.ts'

const folder = join(repoRoot, 'deploy', 'swarm')

export const swarmGuidePaths = {
  en: join(folder, 'README.md'),
  ko: join(folder, 'README.ko.md'),
} as const
