// Vitest reporter that ends the run with a plain `N passed, N failed, N skipped` line, readable by any CI.
import type { Reporter, TestCase } from 'vitest/node'

/** Counts test results and prints one closing line after Vitest's own report. */
export default class SummaryReporter implements Reporter {
  #passed = 0
  #failed = 0
  #skipped = 0

  onTestCaseResult(test: TestCase): void {
    const state = test.result().state
    if (state === 'passed') this.#passed++
    else if (state === 'failed') this.#failed++
    else this.#skipped++
  }

  onTestRunEnd(): void {
    process.stdout.write(`\n${this.#passed} passed, ${this.#failed} failed, ${this.#skipped} skipped\n`)
  }
}
