/**
 * The committed test objects and tools to break them: read an object, find a section's
 * header or a symbol's entry, write a field in the object's byte order, rename a section.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ElfFile, readElf } from '../../src/elf/index.js';

/** This directory. */
export const OBJECTS_DIR = fileURLToPath(new URL('.', import.meta.url));

/** The objects build.sh makes, without `.o`. */
export const OBJECT_NAMES = [
  'xdp_parser',
  'tc_classifier',
  'socket_filter',
  'tracing',
  'cgroup_sock',
  'map_in_map',
  'fentry_core',
  'kfunc_task',
  'kfunc_unknown',
  'kfunc_weak',
  'spin_lock_map',
  'probes',
  'xdp_parser.bpfeb',
] as const;
export type ObjectName = (typeof OBJECT_NAMES)[number];

/** A fresh copy of a committed object's bytes. */
export function objectBytes(name: ObjectName): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./${name}.o`, import.meta.url)));
}

/** Writes fields of an ELF file in its byte order, at absolute file offsets. */
export class Patcher {
  readonly elf: ElfFile;
  private readonly view: DataView;
  private readonly le: boolean;

  constructor(readonly bytes: Uint8Array) {
    this.elf = readElf(bytes);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.le = this.elf.header.endian === 'little';
  }

  u8(at: number, v: number): this {
    this.view.setUint8(at, v);
    return this;
  }

  u16(at: number, v: number): this {
    this.view.setUint16(at, v, this.le);
    return this;
  }

  u32(at: number, v: number): this {
    this.view.setUint32(at, v >>> 0, this.le);
    return this;
  }

  u64(at: number, v: bigint): this {
    this.view.setBigUint64(at, v, this.le);
    return this;
  }

  readU32(at: number): number {
    return this.view.getUint32(at, this.le);
  }

  /** The index of the section named `name`; throws when there is none. */
  sectionIndex(name: string): number {
    const s = this.elf.sections.find((x) => x.name === name);
    if (!s) throw new Error(`no section ${name}`);
    return s.index;
  }

  /** File offset of the header of section `name` (or index). */
  sectionHeader(section: string | number): number {
    const index = typeof section === 'number' ? section : this.sectionIndex(section);
    return this.elf.header.shoff + index * 64;
  }

  /** File offset of the data of section `name`. */
  sectionData(name: string): number {
    return this.elf.sections[this.sectionIndex(name)]!.offset;
  }

  /** File offset of the symbol table entry of the symbol named `name`. */
  symbolEntry(name: string): number {
    const sym = this.elf.symbols.find((s) => s.name === name);
    if (!sym) throw new Error(`no symbol ${name}`);
    return this.elf.sections[this.elf.symtabIndex]!.offset + sym.index * 24;
  }

  /** File offset of entry `i` of the REL section that patches section `target`. */
  relocationEntry(target: string, i: number): number {
    const rel = this.elf.relocations.get(this.sectionIndex(target));
    if (!rel) throw new Error(`no relocations for ${target}`);
    return rel.section.offset + i * 16;
  }

  /** Overwrites the name of section `name` in the section name table (same length or shorter). */
  renameSection(name: string, to: string): this {
    if (to.length > name.length) throw new Error('a new name may not be longer');
    const nameOff = this.readU32(this.sectionHeader(name));
    const strtab = this.elf.sections[this.elf.header.shstrndx]!;
    const at = strtab.offset + nameOff;
    for (let i = 0; i < name.length; i++) this.bytes[at + i] = i < to.length ? to.charCodeAt(i) : 0;
    return this;
  }

  /** Replaces the first occurrence of `from` (same length) inside section `section`. */
  replaceInSection(section: string, from: string, to: string): this {
    if (from.length !== to.length) throw new Error('same length only');
    const s = this.elf.sections[this.sectionIndex(section)]!;
    const needle = new TextEncoder().encode(from);
    const at = Buffer.from(s.data).indexOf(Buffer.from(needle));
    if (at < 0) throw new Error(`'${from}' not in ${section}`);
    this.bytes.set(new TextEncoder().encode(to), s.offset + at);
    return this;
  }
}
