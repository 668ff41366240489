// Prints each suite's result from Jest's --json output, then one line `N passed, N failed`.
const { existsSync, readFileSync } = require('node:fs');
const { relative } = require('node:path');

// Several result files (runs of Jest one after another) are summed into one line. A run that left
// no file (Jest crashed, e.g. in its global setup) counts as one failure, and the other runs still
// count: the last CI failure's line read "0 passed, 1 failed" over a first run of 968 passed.
const files = process.argv.slice(2);
if (files.length === 0) {
  console.log('no test results (jest crashed?)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const missing = files.filter((file) => !existsSync(file));
const runs = files.filter((file) => existsSync(file)).map((file) => JSON.parse(readFileSync(file, 'utf8')));
let passed = 0;
let failed = missing.length;
// What failed, repeated just above the last line: a CI log is often read from its end only.
const failures = missing.map((file) => `✕ no test results in ${relative(process.cwd(), file)} (jest crashed?)`);
const firstLines = (text, count) =>
  String(text ?? '')
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '') // Jest's colours
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, count)
    .map((line) => `    ${line.slice(0, 300)}`);
for (const suite of runs.flatMap((run) => run.testResults)) {
  const p = suite.assertionResults.filter((a) => a.status === 'passed').length;
  const f = suite.assertionResults.filter((a) => a.status === 'failed').length;
  // A suite that failed to run (setup error) counts as one failure.
  const broken = suite.status === 'failed' && f === 0 ? 1 : 0;
  passed += p;
  failed += f + broken;
  console.log(`${suite.status === 'passed' ? 'PASS' : 'FAIL'} ${relative(process.cwd(), suite.name)}: ${p} passed, ${f + broken} failed`);
  const name = relative(process.cwd(), suite.name);
  for (const a of suite.assertionResults.filter((result) => result.status === 'failed')) {
    failures.push(`✕ ${name} › ${a.fullName}`, ...firstLines(a.failureMessages?.join('\n'), 4));
  }
  if (broken) failures.push(`✕ ${name} did not run`, ...firstLines(suite.message, 4));
}
if (failures.length > 0) console.log(['What failed:', ...failures].join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || runs.some((run) => !run.success) ? 1 : 0);
