// Writes the run's totals to .jest-results.json so .ci/run can print `tests: N passed, M failed`.
const fs = require('node:fs')
class Tally {
  onRunComplete(_contexts, results) {
    const out = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites
    }
    fs.writeFileSync('.jest-results.json', JSON.stringify(out) + '\n')
  }
}
module.exports = Tally
