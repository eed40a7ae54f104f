#!/usr/bin/env node
// Adds up the vitest JSON reports of every package (packages/*/test-results.json written by
// the run that just finished) and prints one closing line: "tests: N passed, N failed, N skipped".
// Exits 1 when a test failed or no test ran at all, so a silent empty run cannot pass.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const since = Number(process.argv[2] ?? 0);
let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
for (const pkg of readdirSync('packages').sort()) {
  const file = join('packages', pkg, 'test-results.json');
  if (!existsSync(file) || statSync(file).mtimeMs < since) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  lines.push(`  ${pkg.padEnd(12)} ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(lines.join('\n'));
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
