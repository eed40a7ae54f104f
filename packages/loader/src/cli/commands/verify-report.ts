import { progTypeName } from '@bpfhive/uapi';
import type { VerifyResult } from '@bpfhive/verifier';
import type { JsonWriter } from '../format/json-writer.js';

/**
 * What `bpfhive verify` says about one program. With --json, an array of objects in exactly
 * these field names and this order.
 */
export interface VerifyReport {
  /** The ELF section (empty for --raw). */
  readonly section: string;
  readonly name: string;
  /** The program type as bpftool names it: `xdp`, `kprobe`. */
  readonly prog_type: string;
  /** Instructions as BPF_PROG_LOAD counts them (slots). */
  readonly insn_cnt: number;
  readonly verdict: 'accept' | 'reject';
  readonly processed_insns: number;
  /** Why the program was refused (`message (insn N)`), or the CO-RE relocation that explains it; null when accepted. */
  readonly error: string | null;
  /** The verifier log (empty unless --log-level asked for one). */
  readonly log: string;
}

/**
 * The report of one verdict; `explanation` replaces the verifier's message when a poisoned
 * instruction caused the refusal (a CO-RE relocation without a target, an unresolved kfunc).
 */
export function verifyReport(
  program: { readonly section: string; readonly name: string; readonly type: number },
  insnCnt: number,
  result: VerifyResult,
  explanation?: { readonly message: string },
): VerifyReport {
  const error = result.verdict === 'accept' ? null : (explanation?.message ?? (result.error ? `${result.error.message} (insn ${result.error.insn})` : `refused (${result.errno ?? 'EACCES'})`));
  return {
    section: program.section,
    name: program.name,
    prog_type: progTypeName(program.type) ?? String(program.type),
    insn_cnt: insnCnt,
    verdict: result.verdict,
    processed_insns: result.stats.processed_insns,
    error,
    log: result.log,
  };
}

/**
 * The plain text of a report, one line and, when refused, the reason and the source line:
 *
 *   xdp_parse  section xdp  xdp  insns 240  accept  processed 235
 *   check_file_open  section lsm/file_open  lsm  insns 85  reject  processed 35
 *   	At program exit the register R0 … (insn 80)
 *
 * then the log, when there is one, between libbpf's BEGIN and END markers.
 */
export function verifyReportPlain(report: VerifyReport, line?: string): string {
  const head = `${report.name}  section ${report.section || '-'}  ${report.prog_type}  insns ${report.insn_cnt}  ${report.verdict}  processed ${report.processed_insns}\n`;
  const why = report.error === null ? '' : `\t${report.error}\n${line ? `\t${line}\n` : ''}`;
  const log = report.log === '' ? '' : `-- BEGIN PROG LOAD LOG --\n${report.log}${report.log.endsWith('\n') ? '' : '\n'}-- END PROG LOAD LOG --\n`;
  return head + why + log;
}

/** The reports as a JSON array. */
export function writeVerifyJson(json: JsonWriter, reports: readonly VerifyReport[]): void {
  json.startArray();
  for (const r of reports) {
    json.startObject();
    for (const [name, value] of Object.entries(r) as [string, string | number | null][]) json.field(name, value);
    json.endObject();
  }
  json.endArray();
}
