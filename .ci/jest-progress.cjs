/**
 * Jest reporter for .ci/run's hang guard: appends to $JEST_PROGRESS_FILE one line per
 * suite start ("start <epoch ms> <path>"), per suite end ("end <epoch ms> <path>") and once
 * when the run is over ("complete <epoch ms>"). When jest runs too long or does not exit
 * after the run, .ci/run reads it to say which suites were still running.
 */
const { appendFileSync } = require('node:fs');
const path = require('node:path');

class ProgressReporter {
  constructor(globalConfig) {
    this.file = process.env.JEST_PROGRESS_FILE;
    this.root = globalConfig.rootDir;
  }

  write(line) {
    if (this.file) appendFileSync(this.file, `${line}\n`);
  }

  onTestFileStart(test) {
    this.write(`start ${Date.now()} ${path.relative(this.root, test.path)}`);
  }

  onTestFileResult(test) {
    this.write(`end ${Date.now()} ${path.relative(this.root, test.path)}`);
  }

  onRunComplete() {
    this.write(`complete ${Date.now()}`);
  }
}

module.exports = ProgressReporter;
