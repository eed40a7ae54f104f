/**
 * The one-line summary of a verifier log, in the spirit of cilium/ebpf's VerifierError: the
 * cause, then the last line that says what went wrong — with the line before it when that line
 * alone means little (a register state `R0 !read_ok`, or a tab-indented BTF member) — and how
 * many lines were left out. The trailing `processed N insns …` statistics line never counts.
 *
 *   summarizeVerifierLog('prog_load: permission denied', '0: (95) exit\nR0 !read_ok\n')
 *   → 'prog_load: permission denied: 0: (95) exit: R0 !read_ok'
 */
export function summarizeVerifierLog(cause: string, log: string): string {
  const text = log.trim();
  if (text === '') return cause;
  const all = text.split('\n').map((line) => line.trimEnd());
  const lines = all.length > 0 && all[all.length - 1]!.startsWith('processed ') ? all.slice(0, -1) : all;
  const n = lines.length;
  if (n === 0) return cause;
  const last = lines[n - 1]!;
  const shown = n >= 2 && needsPreviousLine(last) ? lines.slice(n - 2) : lines.slice(n - 1);
  const omitted = all.length - shown.length;
  const summary = `${cause}: ${shown.map((l) => l.trim()).join(': ')}`;
  return omitted > 0 ? `${summary} (${omitted} line(s) omitted)` : summary;
}

function needsPreviousLine(line: string): boolean {
  return line.startsWith('\t') || /^R\d/.test(line);
}
