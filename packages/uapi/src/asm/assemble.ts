import { BpfError } from '../errors.js';
import { type Instruction, slotCount } from '../insn/instruction.js';
import { EXIT } from '../insn/opcode.js';
import { AsmSyntaxError, type AsmItem } from './item.js';
import { LABEL, OperandError } from './operands.js';
import { parseConformanceLine } from './syntax-conformance.js';
import { looksLikeLlvm, parseLlvmLine } from './syntax-llvm.js';

/** A program text that cannot be assembled; names the line (1-based) and quotes it. */
export class AsmError extends BpfError {
  constructor(
    readonly line: number,
    readonly text: string,
    reason: string,
  ) {
    super('EINVAL', `assemble: line ${line}: ${reason}${text ? ` (in '${text}')` : ''}`);
  }
}

export interface AssembleOptions {
  /**
   * Which syntax the lines are in. 'auto' (the default) decides per line: a line with `=` or
   * starting with `if`, `goto`, `gotol`, `may_goto`, `callx` is LLVM's, any other line the
   * conformance suite's (`exit` and `call N` read the same in both).
   */
  readonly syntax?: 'auto' | 'llvm' | 'conformance';
}

/** Strips `#`, `//` and `;` comments: at the start of a line or after white space (so `kfunc#7` stays). */
const stripComment = (line: string): string => line.replace(/(^|\s)(#|\/\/|;).*$/, '').trim();

/**
 * Assembles eBPF assembly text into instructions.
 *
 * Lines hold one instruction each, optionally after one or more `label:` prefixes; labels may
 * also stand alone. Jump and call targets are `+N`/`-N` slot offsets or labels. As in the
 * conformance suite, the first `exit` is also the label `exit` unless a label of that name
 * exists. Throws AsmError (EINVAL) naming the first bad line.
 */
export function assemble(source: string, options: AssembleOptions = {}): Instruction[] {
  const syntax = options.syntax ?? 'auto';
  const items: { item: AsmItem; slot: number; line: number; text: string }[] = [];
  const labels = new Map<string, number>();
  let slot = 0;

  source.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    let text = stripComment(raw);
    let m: RegExpExecArray | null;
    while ((m = /^([A-Za-z_.$][\w.$]*)\s*:(?!=)\s*/.exec(text))) {
      if (labels.has(m[1]!)) throw new AsmError(lineNo, raw.trim(), `label '${m[1]}' is defined twice`);
      labels.set(m[1]!, slot);
      text = text.slice(m[0].length);
    }
    if (text === '') return;
    try {
      const llvm = syntax === 'llvm' || (syntax === 'auto' && looksLikeLlvm(text));
      const item = llvm ? parseLlvmLine(text) : parseConformanceLine(text);
      items.push({ item, slot, line: lineNo, text: raw.trim() });
      slot += slotCount(item.insn);
    } catch (e) {
      if (e instanceof AsmSyntaxError || e instanceof OperandError) throw new AsmError(lineNo, raw.trim(), e.message);
      throw e;
    }
  });

  if (items.length === 0) throw new AsmError(0, '', 'the program has no instructions');
  const firstExit = items.find((i) => i.item.insn.opcode === EXIT);
  if (firstExit && !labels.has('exit')) labels.set('exit', firstExit.slot);

  return items.map(({ item, slot: at, line, text }) => {
    if (!item.fixup) return item.insn;
    const target = labels.get(item.fixup.label);
    if (target === undefined) {
      const hint = LABEL.test(item.fixup.label) ? '' : ' (labels are letters, digits, _ . $)';
      throw new AsmError(line, text, `unknown label '${item.fixup.label}'${hint}`);
    }
    const relative = target - (at + 1);
    if (item.fixup.field === 'off' && (relative < -32768 || relative > 32767)) {
      throw new AsmError(line, text, `jump to '${item.fixup.label}' is ${relative} slots away, beyond a 16-bit offset: use gotol`);
    }
    return { ...item.insn, [item.fixup.field]: relative };
  });
}

/**
 * Tagged template for readable programs in tests, one instruction per line:
 *   asm`
 *     r0 = 1
 *     exit`
 */
export function asm(strings: TemplateStringsArray, ...values: unknown[]): Instruction[] {
  return assemble(String.raw({ raw: strings }, ...values));
}
