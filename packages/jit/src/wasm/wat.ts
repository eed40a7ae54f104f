/**
 * The WebAssembly text format of an IR module (ir.ts), for reading and for golden files.
 *
 * The output is deterministic and uses the standard syntax: one module field per line, function
 * bodies as flat instructions with `block`/`loop`/`if … else … end` indented two spaces per level.
 * Functions, globals, parameters and locals are referred to by their `$name` when they have one
 * (names must be valid, unique identifiers), otherwise by index; branches always use depths, with
 * a `;; -> $label` comment when the target has a label. Memory arguments print `offset=` and
 * `align=` (in bytes, as the text format has it) only when not the default.
 */
import type { FuncType, Instr, Module, ValType } from './ir.js';
import { MEMORY_OPCODES } from './opcodes.js';

/** Characters allowed in a text-format identifier (after the `$`). */
const ID_PATTERN = /^[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+$/;

function checkId(name: string, what: string): string {
  if (!ID_PATTERN.test(name)) throw new Error(`invalid WAT identifier for ${what}: ${JSON.stringify(name)}`);
  return name;
}

/** `$name` per index (or undefined), checking that names are valid and unique within one space. */
function names(count: number, nameOf: (i: number) => string | undefined, what: string): (string | undefined)[] {
  const seen = new Set<string>();
  const result: (string | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const name = nameOf(i);
    if (name === undefined) {
      result.push(undefined);
      continue;
    }
    checkId(name, what);
    if (seen.has(name)) throw new Error(`duplicate WAT identifier for ${what}: $${name}`);
    seen.add(name);
    result.push(`$${name}`);
  }
  return result;
}

const textEncoder = new TextEncoder();

/** A string literal: printable ASCII as is, everything else (and `"`, `\`) as `\hh` UTF-8 bytes. */
function quote(text: string): string {
  let out = '"';
  for (const b of textEncoder.encode(text)) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) out += String.fromCharCode(b);
    else out += `\\${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

function ref(names: readonly (string | undefined)[], index: number): string {
  return names[index] ?? String(index);
}

function limitsText(min: number, max: number | undefined): string {
  return max === undefined ? `${min}` : `${min} ${max}`;
}

function funcTypeText(t: FuncType): string {
  let s = '(func';
  if (t.params.length > 0) s += ` (param ${t.params.join(' ')})`;
  if (t.results.length > 0) s += ` (result ${t.results.join(' ')})`;
  return `${s})`;
}

/**
 * `(kw $a t) (kw t t) (kw $b t)`: named entries alone, consecutive unnamed ones grouped.
 */
function declsText(keyword: string, types: readonly ValType[], declNames: readonly (string | undefined)[]): string {
  const parts: string[] = [];
  let group: ValType[] = [];
  const flush = (): void => {
    if (group.length > 0) parts.push(`(${keyword} ${group.join(' ')})`);
    group = [];
  };
  types.forEach((t, i) => {
    const name = declNames[i];
    if (name === undefined) {
      group.push(t);
    } else {
      flush();
      parts.push(`(${keyword} ${name} ${t})`);
    }
  });
  flush();
  return parts.join(' ');
}

/** The module as WebAssembly text, ending with a newline. */
export function printWat(module: Module): string {
  const funcImports = module.imports.filter((imp) => imp.kind === 'func');
  const funcNames = names(
    funcImports.length + module.funcs.length,
    (i) => (i < funcImports.length ? funcImports[i]?.id : module.funcs[i - funcImports.length]?.name),
    'a function',
  );
  const globalImports = module.imports.filter((imp) => imp.kind === 'global');
  const globals = module.globals ?? [];
  const globalNames = names(
    globalImports.length + globals.length,
    (i) => (i < globalImports.length ? globalImports[i]?.id : globals[i - globalImports.length]?.name),
    'a global',
  );
  const ctx: Context = { funcNames, globalNames, localNames: [] };

  const lines: string[] = ['(module'];
  module.types.forEach((t, i) => lines.push(`  (type (;${i};) ${funcTypeText(t)})`));
  let funcIndex = 0;
  let globalIndex = 0;
  for (const imp of module.imports) {
    const head = `  (import ${quote(imp.module)} ${quote(imp.name)}`;
    if (imp.kind === 'func') {
      const name = funcNames[funcIndex] ?? `(;${funcIndex};)`;
      lines.push(`${head} (func ${name} (type ${imp.type})))`);
      funcIndex++;
    } else if (imp.kind === 'table') {
      lines.push(`${head} (table ${limitsText(imp.min, imp.max)} funcref))`);
    } else if (imp.kind === 'global') {
      const name = globalNames[globalIndex] ?? `(;${globalIndex};)`;
      lines.push(`${head} (global ${name} ${imp.mutable ? `(mut ${imp.type})` : imp.type}))`);
      globalIndex++;
    } else {
      const shared = imp.shared === true ? ' shared' : '';
      lines.push(`${head} (memory ${limitsText(imp.min, imp.max)}${shared}))`);
    }
  }
  for (const t of module.tables ?? []) lines.push(`  (table ${limitsText(t.min, t.max)} funcref)`);
  globals.forEach((g, k) => {
    const i = globalImports.length + k;
    const name = globalNames[i] ?? `(;${i};)`;
    const type = g.mutable ? `(mut ${g.type})` : g.type;
    const init = g.type === 'i64' ? i64Text(BigInt(g.init)) : i32Text(Number(g.init));
    lines.push(`  (global ${name} ${type} (${g.type}.const ${init}))`);
  });
  for (const e of module.exports) {
    const target =
      e.kind === 'func' ? ref(funcNames, e.index) : e.kind === 'global' ? ref(globalNames, e.index) : String(e.index);
    lines.push(`  (export ${quote(e.name)} (${e.kind} ${target}))`);
  }
  for (const e of module.elements ?? []) {
    const funcs = e.funcs.map((f) => ` ${ref(funcNames, f)}`).join('');
    lines.push(`  (elem (i32.const ${i32Text(e.offset)}) func${funcs})`);
  }
  module.funcs.forEach((f, i) => {
    const index = funcImports.length + i;
    const type = module.types[f.type];
    if (type === undefined) throw new Error(`function ${index} has no type ${f.type}`);
    const localTypes = [...type.params, ...f.locals.map((l) => l.type)];
    const localNames = names(
      localTypes.length,
      (k) => (k < type.params.length ? f.paramNames?.[k] : f.locals[k - type.params.length]?.name),
      `a local of function ${index}`,
    );
    ctx.localNames = localNames;
    let head = `  (func ${funcNames[index] ?? `(;${index};)`} (type ${f.type})`;
    const params = declsText('param', type.params, localNames);
    if (params !== '') head += ` ${params}`;
    if (type.results.length > 0) head += ` (result ${type.results.join(' ')})`;
    lines.push(head);
    const locals = declsText(
      'local',
      f.locals.map((l) => l.type),
      localNames.slice(type.params.length),
    );
    if (locals !== '') lines.push(`    ${locals}`);
    printBody(lines, f.body, ctx);
    lines.push('  )');
  });
  lines.push(')');
  return `${lines.join('\n')}\n`;
}

interface Context {
  readonly funcNames: readonly (string | undefined)[];
  readonly globalNames: readonly (string | undefined)[];
  localNames: readonly (string | undefined)[];
}

function i32Text(value: number): string {
  return String(value | 0);
}

function i64Text(value: bigint): string {
  return BigInt.asIntN(64, value).toString();
}

function blockHead(keyword: string, label: string | undefined, result: ValType | undefined): string {
  let s = keyword;
  if (label !== undefined) s += ` $${checkId(label, 'a label')}`;
  if (result !== undefined) s += ` (result ${result})`;
  return s;
}

/** The instructions of a function body (without its final `end`), walked with a stack. */
function printBody(lines: string[], body: readonly Instr[], ctx: Context): void {
  const indents: string[] = [];
  const indent = (depth: number): string => (indents[depth] ??= ' '.repeat(4 + 2 * depth));
  // Open bodies: the instruction list, where to resume, a pending `else` arm, and the label.
  const lists: (readonly Instr[])[] = [body];
  const resume: number[] = [0];
  const elses: (readonly Instr[] | undefined)[] = [undefined];
  const labels: (string | undefined)[] = [undefined];
  let depth = 0;
  let list = body;
  let i = 0;

  /** `;; -> $label` for branch targets that have labels (depth 0 is the innermost block). */
  const targets = (depths: readonly number[]): string => {
    let any = false;
    const parts = depths.map((d) => {
      const label = depth - d >= 1 ? labels[depth - d] : undefined;
      if (label === undefined) return String(d);
      any = true;
      return `$${label}`;
    });
    return any ? ` ;; -> ${parts.join(' ')}` : '';
  };

  for (;;) {
    if (i === list.length) {
      if (depth === 0) return;
      const elseArm = elses[depth];
      if (elseArm !== undefined) {
        lines.push(`${indent(depth - 1)}else`);
        elses[depth] = undefined;
        lists[depth] = elseArm;
        list = elseArm;
        i = 0;
        continue;
      }
      depth--;
      lines.push(`${indent(depth)}end`);
      list = lists[depth] as readonly Instr[];
      i = resume[depth] as number;
      continue;
    }
    const ins = list[i++] as Instr;
    const pad = indent(depth);
    switch (ins.op) {
      case 'block':
      case 'loop':
      case 'if': {
        lines.push(`${pad}${blockHead(ins.op, ins.label, ins.result)}`);
        resume[depth] = i;
        depth++;
        const inner = ins.op === 'if' ? ins.then : ins.body;
        lists[depth] = inner;
        elses[depth] = ins.op === 'if' ? ins.else : undefined;
        labels[depth] = ins.label;
        list = inner;
        i = 0;
        break;
      }
      case 'i32.const':
        lines.push(`${pad}i32.const ${i32Text(ins.value)}`);
        break;
      case 'i64.const':
        lines.push(`${pad}i64.const ${i64Text(ins.value)}`);
        break;
      case 'local.get':
      case 'local.set':
      case 'local.tee':
        lines.push(`${pad}${ins.op} ${ref(ctx.localNames, ins.index)}`);
        break;
      case 'global.get':
      case 'global.set':
        lines.push(`${pad}${ins.op} ${ref(ctx.globalNames, ins.index)}`);
        break;
      case 'br':
      case 'br_if':
        lines.push(`${pad}${ins.op} ${ins.depth}${targets([ins.depth])}`);
        break;
      case 'br_table': {
        const all = [...ins.depths, ins.default];
        lines.push(`${pad}br_table ${all.join(' ')}${targets(all)}`);
        break;
      }
      case 'call':
      case 'return_call':
        lines.push(`${pad}${ins.op} ${ref(ctx.funcNames, ins.func)}`);
        break;
      case 'v128.const':
        lines.push(`${pad}v128.const i64x2 ${i64Text(ins.lanes[0])} ${i64Text(ins.lanes[1])}`);
        break;
      case 'i64x2.extract_lane':
        lines.push(`${pad}i64x2.extract_lane ${ins.lane}`);
        break;
      case 'call_indirect':
        lines.push(`${pad}call_indirect${ins.table === 0 ? '' : ` ${ins.table}`} (type ${ins.type})`);
        break;
      default:
        if ('offset' in ins) {
          let s = `${pad}${ins.op}`;
          if (ins.offset !== 0) s += ` offset=${ins.offset}`;
          const info = MEMORY_OPCODES[ins.op];
          if (info === undefined) throw new Error(`unknown instruction ${String(ins.op)}`);
          if (ins.align !== info.natural) s += ` align=${2 ** ins.align}`;
          lines.push(s);
        } else {
          lines.push(`${pad}${ins.op}`);
        }
    }
  }
}
