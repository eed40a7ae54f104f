/**
 * `bpftool btf dump ... format c`: BTF as C type definitions, the way libbpf's btf_dump
 * writes them (a vmlinux.h). Types come out in an order C accepts: a struct embedded by
 * value is defined before its container, one reached only through a pointer may be
 * forward-declared; anonymous structs, unions and enums are written inline; holes in a
 * struct become explicit padding (`long: 64;`), packed layouts `__attribute__((packed))`.
 * Names that repeat get `___2`, `___3` suffixes. Functions, variables, data sections and
 * declaration tags are not part of the output.
 */
import { bitPadding } from './dump-c-padding.js';
import { btfAlignOf, btfSizeOf } from './query.js';
import type { Btf, BtfComposite, BtfEnum, BtfEnum64, BtfRef, BtfType } from './types.js';

export interface DumpBtfCOptions {
  /**
   * Wrap the definitions as bpftool does: an include guard and a
   * `#pragma clang attribute push(preserve_access_index)` for every record. Default false.
   */
  readonly header?: boolean;
}

/** The C definitions of every type of `btf` (or of `ids` and what they need). */
export function dumpBtfC(btf: Btf, options: DumpBtfCOptions = {}, ids?: readonly number[]): string {
  const dumper = new CDumper(btf);
  for (const id of ids ?? Array.from({ length: btf.types.length - 1 }, (_, i) => i + 1)) dumper.dumpType(id);
  const body = dumper.text();
  if (!options.header) return body;
  return [
    '#ifndef __VMLINUX_H__',
    '#define __VMLINUX_H__',
    '',
    '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX',
    '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)',
    '#endif',
    '',
    body + '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX',
    '#pragma clang attribute pop',
    '#endif',
    '',
    '#endif /* __VMLINUX_H__ */',
    '',
  ].join('\n');
}

const NOT = 0;
const IN_PROGRESS = 1;
const DONE = 2;

const isMod = (t: BtfType): boolean => t.kind === 'VOLATILE' || t.kind === 'CONST' || t.kind === 'RESTRICT';
const tabs = (lvl: number): string => '\t'.repeat(lvl);

class CDumper {
  private readonly out: string[] = [];
  private readonly order: Uint8Array;
  private readonly emit: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly referenced: Uint8Array;
  private readonly names = new Map<number, string>();
  private readonly typeNames = new Map<string, number>();
  private readonly identNames = new Map<string, number>();
  private queue: number[] = [];

  constructor(private readonly btf: Btf) {
    const n = btf.types.length;
    this.order = new Uint8Array(n);
    this.emit = new Uint8Array(n);
    this.fwdEmitted = new Uint8Array(n);
    this.referenced = new Uint8Array(n);
    for (const t of btf.types) for (const ref of references(t)) this.referenced[ref] = 1;
  }

  text(): string {
    return this.out.join('');
  }

  dumpType(id: number): void {
    this.queue = [];
    this.orderType(id, false);
    for (const q of this.queue) this.emitType(q, 0);
  }

  private type(id: number): BtfType {
    return this.btf.types[id]!;
  }

  private print(s: string): void {
    this.out.push(s);
  }

  /** libbpf's btf_dump_order_type: 1 for a strong link, 0 for a weak one (a pointer will do). */
  private orderType(id: number, throughPtr: boolean): number {
    if (this.order[id] === DONE) return 1;
    const t = this.type(id);
    // A cycle: through a pointer to a named struct a forward declaration breaks it; validated
    // BTF has no other kind, and for malformed BTF this emits what can be emitted.
    if (this.order[id] === IN_PROGRESS) return 0;
    switch (t.kind) {
      case 'VOID':
      case 'INT':
      case 'FLOAT':
        this.order[id] = DONE;
        return 0;
      case 'PTR': {
        const strong = this.orderType(t.type, true);
        this.order[id] = DONE;
        return strong;
      }
      case 'ARRAY':
        return this.orderType(t.type, false);
      case 'STRUCT':
      case 'UNION':
        if (throughPtr && t.name !== '') return 0;
        this.order[id] = IN_PROGRESS;
        for (const m of t.members) this.orderType(m.type, false);
        if (t.name !== '') this.queue.push(id);
        this.order[id] = DONE;
        return 1;
      case 'ENUM':
      case 'ENUM64':
      case 'FWD':
        if (t.name !== '' || !this.referenced[id]) this.queue.push(id);
        this.order[id] = DONE;
        return 1;
      case 'TYPEDEF': {
        const strong = this.orderType(t.type, throughPtr);
        if (throughPtr && !strong) return 0;
        this.queue.push(id);
        this.order[id] = DONE;
        return 1;
      }
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
      case 'TYPE_TAG':
        return this.orderType(t.type, throughPtr);
      case 'FUNC_PROTO': {
        let strong = this.orderType(t.returnType, throughPtr) > 0;
        for (const p of t.params) if (this.orderType(p.type, throughPtr) > 0) strong = true;
        return strong ? 1 : 0;
      }
      default:
        this.order[id] = DONE;
        return 0;
    }
  }

  /** libbpf's btf_dump_emit_type: definitions and the forward declarations they need. */
  private emitType(id: number, contId: number): void {
    if (this.emit[id] === DONE) return;
    const t = this.type(id);
    const topLevel = contId === 0;
    if (this.emit[id] === IN_PROGRESS) {
      if (this.fwdEmitted[id]) return;
      if (t.kind === 'STRUCT' || t.kind === 'UNION') {
        if (id === contId || t.name === '') return;
        this.print(`${this.structFwd(id, t)};\n\n`);
        this.fwdEmitted[id] = 1;
      } else if (t.kind === 'TYPEDEF') {
        this.print(`${this.typedefDef(id, t, 0)};\n\n`);
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    switch (t.kind) {
      case 'VOID':
      case 'INT':
      case 'FLOAT':
        this.emit[id] = DONE;
        break;
      case 'ENUM':
      case 'ENUM64':
        if (topLevel) this.print(`${this.enumDef(id, t, 0)};\n\n`);
        this.emit[id] = DONE;
        break;
      case 'PTR':
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
      case 'TYPE_TAG':
      case 'ARRAY':
        this.emitType(t.type, contId);
        break;
      case 'FWD':
        this.print(`${t.union ? 'union' : 'struct'} ${this.typeName(id)};\n\n`);
        this.emit[id] = DONE;
        break;
      case 'TYPEDEF':
        this.emit[id] = IN_PROGRESS;
        this.emitType(t.type, id);
        if (!this.fwdEmitted[id]) this.print(`${this.typedefDef(id, t, 0)};\n\n`);
        this.emit[id] = DONE;
        break;
      case 'STRUCT':
      case 'UNION':
        this.emit[id] = IN_PROGRESS;
        if (topLevel || t.name === '') {
          const cont = t.name === '' ? contId : id;
          for (const m of t.members) this.emitType(m.type, cont);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          this.print(`${this.structFwd(id, t)};\n\n`);
          this.fwdEmitted[id] = 1;
        }
        if (topLevel) {
          this.print(`${this.structDef(id, t, 0)};\n\n`);
          this.emit[id] = DONE;
        } else {
          this.emit[id] = NOT;
        }
        break;
      case 'FUNC_PROTO':
        this.emitType(t.returnType, contId);
        for (const p of t.params) this.emitType(p.type, contId);
        break;
      default:
        break;
    }
  }

  /** A type's C name, `___N` added when an earlier type of the same namespace had it. */
  private resolveName(id: number, names: Map<string, number>): string {
    const t = this.type(id);
    if (t.name === '') return '';
    const known = this.names.get(id);
    if (known !== undefined) return known;
    let name = t.name;
    if (t.kind !== 'FWD' && !(t.kind === 'ENUM' && t.values.length === 0)) {
      const count = (names.get(t.name) ?? 0) + 1;
      names.set(t.name, count);
      if (count > 1) name = `${t.name}___${count}`;
    }
    this.names.set(id, name);
    return name;
  }

  private typeName(id: number): string {
    return this.resolveName(id, this.typeNames);
  }

  private identName(id: number): string {
    return this.resolveName(id, this.identNames);
  }

  private structFwd(id: number, t: BtfComposite): string {
    const name = this.typeName(id);
    return `${t.kind === 'STRUCT' ? 'struct' : 'union'}${name ? ` ${name}` : ''}`;
  }

  private typedefDef(id: number, t: BtfRef, lvl: number): string {
    return `typedef ${this.typeDecl(t.type, this.identName(id), lvl)}`;
  }

  private isPacked(t: BtfComposite): boolean {
    let max = 1;
    for (const m of t.members) {
      const align = btfAlignOf(this.btf, m.type);
      if (m.bitfieldSize === 0 && m.bitOffset % (8 * align) !== 0) return true;
      max = Math.max(max, align);
    }
    return t.size % max !== 0;
  }

  private structDef(id: number, t: BtfComposite, lvl: number): string {
    const isStruct = t.kind === 'STRUCT';
    const packed = isStruct && this.isPacked(t);
    let s = `${this.structFwd(id, t)} {`;
    let off = 0;
    let prevBitfield = false;
    for (const m of t.members) {
      const align = packed ? 1 : btfAlignOf(this.btf, m.type);
      s += bitPadding(off, m.bitOffset, align, prevBitfield && m.bitfieldSize !== 0, lvl + 1);
      s += `\n${tabs(lvl + 1)}${this.typeDecl(m.type, m.name, lvl + 1)}`;
      if (m.bitfieldSize) {
        s += `: ${m.bitfieldSize}`;
        off = m.bitOffset + m.bitfieldSize;
        prevBitfield = true;
      } else {
        off = m.bitOffset + btfSizeOf(this.btf, m.type) * 8;
        prevBitfield = false;
      }
      s += ';';
    }
    if (isStruct) s += bitPadding(off, t.size * 8, btfAlignOf(this.btf, id), false, lvl + 1);
    s += t.members.length || t.size ? `\n${tabs(lvl)}}` : '}';
    return packed ? `${s} __attribute__((packed))` : s;
  }

  private enumDef(id: number, t: BtfEnum | BtfEnum64, lvl: number): string {
    const name = this.typeName(id);
    let s = `enum${name ? ` ${name}` : ''}`;
    if (t.values.length === 0) return s;
    s += ' {';
    for (const v of t.values) {
      const count = (this.identNames.get(v.name) ?? 0) + 1;
      this.identNames.set(v.name, count);
      const value = t.kind === 'ENUM64' ? `${v.value}${t.signed ? 'LL' : 'ULL'}` : String(v.value);
      s += `\n${tabs(lvl + 1)}${v.name}${count > 1 ? `___${count}` : ''} = ${value},`;
    }
    s += `\n${tabs(lvl)}}`;
    if (t.size === 1) s += ' __attribute__((mode(byte)))';
    else if (t.size === 8) {
      const wordMode = t.kind === 'ENUM' || t.values.every((v) => BigInt.asUintN(64, BigInt(v.value)) >> 32n === 0n);
      if (wordMode) s += ' __attribute__((mode(word)))';
    }
    return s;
  }

  /** libbpf's btf_dump_emit_type_decl: `const int *x[4]`, `int (*fn)(void *)`. */
  private typeDecl(id: number, fname: string, lvl: number): string {
    const stack: number[] = [];
    let current = id;
    for (;;) {
      stack.push(current);
      if (current === 0) break;
      const t = this.type(current);
      if (t.kind === 'PTR' || t.kind === 'VOLATILE' || t.kind === 'CONST' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG' || t.kind === 'ARRAY') {
        current = t.type;
      }
      else if (t.kind === 'FUNC_PROTO') current = t.returnType;
      else break;
    }
    return this.typeChain(stack, fname, lvl);
  }

  /** Leading qualifiers (those at the top of the stack) written before a base type. */
  private mods(stack: number[]): string {
    let s = '';
    while (stack.length > 0) {
      const t = this.type(stack[stack.length - 1]!);
      if (!isMod(t)) break;
      s += `${t.kind.toLowerCase()} `;
      stack.pop();
    }
    return s;
  }

  private dropMods(stack: number[]): void {
    while (stack.length > 0 && isMod(this.type(stack[stack.length - 1]!))) stack.pop();
  }

  private typeChain(stack: number[], fname: string, lvl: number): string {
    let s = '';
    let lastWasPtr = true;
    const name = (): string => (fname && !lastWasPtr ? ` ${fname}` : fname);
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === 0) {
        s += `${this.mods(stack)}void`;
        lastWasPtr = false;
        continue;
      }
      const t = this.type(id);
      switch (t.kind) {
        case 'INT':
        case 'FLOAT':
          s += this.mods(stack) + t.name;
          break;
        case 'STRUCT':
        case 'UNION':
          s += this.mods(stack) + (t.name === '' ? this.structDef(id, t, lvl) : this.structFwd(id, t));
          break;
        case 'ENUM':
        case 'ENUM64':
          s += this.mods(stack) + (t.name === '' ? this.enumDef(id, t, lvl) : `enum ${this.typeName(id)}`);
          break;
        case 'FWD':
          s += `${this.mods(stack)}${t.union ? 'union' : 'struct'} ${this.typeName(id)}`;
          break;
        case 'TYPEDEF':
          s += this.mods(stack) + this.identName(id);
          break;
        case 'PTR':
          s += lastWasPtr ? '*' : ' *';
          break;
        case 'VOLATILE':
        case 'CONST':
        case 'RESTRICT':
          s += ` ${t.kind.toLowerCase()}`;
          break;
        case 'TYPE_TAG':
          s += `${this.mods(stack)} __attribute__((btf_type_tag("${t.name}")))`;
          break;
        case 'ARRAY': {
          this.dropMods(stack);
          if (stack.length === 0) return `${s}${name()}[${t.nelems}]`;
          const multidim = this.type(stack[stack.length - 1]!).kind === 'ARRAY';
          if (fname && !lastWasPtr) s += ' ';
          const inner = this.typeChain(stack, fname, lvl);
          return `${s}${multidim ? inner : `(${inner})`}[${t.nelems}]`;
        }
        case 'FUNC_PROTO': {
          this.dropMods(stack);
          s += stack.length > 0 ? ` (${this.typeChain(stack, fname, lvl)})` : name();
          const params = t.params;
          if (params.length === 0 || (params.length === 1 && params[0]!.type === 0)) return `${s}(void)`;
          const list = params.map((p, i) => (i === params.length - 1 && p.type === 0 ? '...' : this.typeDecl(p.type, p.name, lvl)));
          return `${s}(${list.join(', ')})`;
        }
        default:
          return s;
      }
      lastWasPtr = t.kind === 'PTR';
    }
    return s + name();
  }
}

/** The ids a type refers to (libbpf marks them "referenced"). */
function references(t: BtfType): number[] {
  switch (t.kind) {
    case 'PTR':
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
    case 'FUNC':
    case 'VAR':
    case 'DECL_TAG':
      return [t.type];
    case 'ARRAY':
      return [t.type, t.indexType];
    case 'STRUCT':
    case 'UNION':
      return t.members.map((m) => m.type);
    case 'FUNC_PROTO':
      return t.params.map((p) => p.type);
    case 'DATASEC':
      return t.vars.map((v) => v.type);
    default:
      return [];
  }
}
