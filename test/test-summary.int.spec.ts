import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// scripts/test-summary.js ends every `npm test`: what CI shows of a run is often only its end.
const summary = (...results: object[]): { lines: string[]; status: number } => {
  const dir = mkdtempSync(join(tmpdir(), 'summary-'));
  const files = results.map((result, i) => {
    const file = join(dir, `run-${i}.json`);
    writeFileSync(file, JSON.stringify(result));
    return file;
  });
  try {
    return { lines: execFileSync('node', ['scripts/test-summary.js', ...files], { encoding: 'utf8' }).trim().split('\n'), status: 0 };
  } catch (error) {
    const failed = error as { stdout: string; status: number };
    return { lines: failed.stdout.trim().split('\n'), status: failed.status };
  }
};

describe('the test summary (scripts/test-summary.js)', () => {
  it('names each failed test and the start of its message just above the last line, which sums every run', () => {
    const { lines, status } = summary(
      {
        success: false,
        testResults: [
          {
            name: join(process.cwd(), 'test/a.e2e.spec.ts'),
            status: 'failed',
            assertionResults: [
              { status: 'passed', fullName: 'a passes' },
              { status: 'failed', fullName: 'tokens › void at once', failureMessages: ['\u001b[31mError: expected 403\u001b[39m\n\nReceived: 200\n  at x\n  at y\n  at z'] },
            ],
          },
          { name: join(process.cwd(), 'test/b.e2e.spec.ts'), status: 'failed', message: '  ● Test suite failed to run\n\n  Cannot find module', assertionResults: [] },
        ],
      },
      { success: true, testResults: [{ name: join(process.cwd(), 'test/c.e2e.spec.ts'), status: 'passed', assertionResults: [{ status: 'passed', fullName: 'c' }] }] },
    );
    expect(status).toBe(1);
    expect(lines.at(-1)).toBe('2 passed, 2 failed');
    expect(lines.slice(lines.indexOf('What failed:'), -1)).toEqual([
      'What failed:',
      '✕ test/a.e2e.spec.ts › tokens › void at once',
      '    Error: expected 403',
      '    Received: 200',
      '    at x',
      '    at y',
      '✕ test/b.e2e.spec.ts did not run',
      '    ● Test suite failed to run',
      '    Cannot find module',
    ]);
  });

  it('a run where everything passed lists nothing failed', () => {
    const { lines, status } = summary({
      success: true,
      testResults: [{ name: join(process.cwd(), 'test/c.e2e.spec.ts'), status: 'passed', assertionResults: [{ status: 'passed', fullName: 'c' }] }],
    });
    expect(status).toBe(0);
    expect(lines).toEqual(['PASS test/c.e2e.spec.ts: 1 passed, 0 failed', '1 passed, 0 failed']);
  });

  it('a run that left no results (Jest crashed in its setup) is one failure, and the other runs still count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-'));
    const ran = join(dir, 'run-0.json');
    writeFileSync(ran, JSON.stringify({ success: true, testResults: [{ name: join(process.cwd(), 'test/c.e2e.spec.ts'), status: 'passed', assertionResults: [{ status: 'passed', fullName: 'c' }] }] }));
    let lines: string[] = [];
    let status = 0;
    try {
      execFileSync('node', ['scripts/test-summary.js', ran, join(dir, 'crashed.json')], { encoding: 'utf8' });
    } catch (error) {
      const failed = error as { stdout: string; status: number };
      lines = failed.stdout.trim().split('\n');
      status = failed.status;
    }
    expect(status).toBe(1);
    expect(lines.at(-1)).toBe('1 passed, 1 failed');
    expect(lines).toContain(`✕ no test results in ${relative(process.cwd(), join(dir, 'crashed.json'))} (jest crashed?)`);
  });
});
