// Jest reporter: writes this package's pass/fail/skip counts to tmp/test-results/<package>.json
// so tools/run-tests.mjs can print one workspace-wide closing line.
const fs = require('node:fs');
const path = require('node:path');

class ResultFileReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', 'tmp', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const name = path.basename(this.rootDir);
    const summary = {
      package: name,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(summary)}\n`);
  }
}

module.exports = ResultFileReporter;
