import { markdownTable } from './lib.ts'
import { metricsCost } from './throughput.ts'

console.log(markdownTable(await metricsCost()))
