// Ends every run with one plain line, `vitest: N passed, N failed, N skipped`,
// that CI logs and people can grep, whatever the other reporters print.
import type { Reporter, TestModule } from 'vitest/node'

/** A file that failed with no failed test inside (a hook or an import threw) counts once. */
function failedWithoutFailedTests(testModule: TestModule): boolean {
  if (testModule.state() !== 'failed') return false
  for (const _ of testModule.children.allTests('failed')) return false
  return true
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 }
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state
        if (state === 'passed') counts.passed += 1
        else if (state === 'failed') counts.failed += 1
        else counts.skipped += 1
      }
      if (failedWithoutFailedTests(testModule)) counts.failed += 1
    }
    process.stdout.write(
      `\nvitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    )
  }
}
