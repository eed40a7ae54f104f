import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findConformanceDir } from './locate.js';

describe('conformance locate', () => {
  it('conformance - finds shared/conformance above this file', () => {
    expect(findConformanceDir(fileURLToPath(import.meta.url))).toMatch(/shared[\\/]conformance$/);
  });

  it('conformance - fails with a clear message when there is none', () => {
    const lonely = mkdtempSync(join(tmpdir(), 'no-suite-'));
    expect(() => findConformanceDir(lonely)).toThrow(`no shared/conformance/tests.assembled.jsonl above ${lonely}`);
  });
});
