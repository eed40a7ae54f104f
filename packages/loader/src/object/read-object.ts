/**
 * readObject: an eBPF object file to an ObjectSpec, the way libbpf's bpf_object__open reads
 * it. Pure: bytes in, data out; nothing is loaded.
 */
import { type Btf, type BtfExt, type BtfType, parseBtf, parseBtfExt } from '@bpfhive/uapi';
import { findSection, readElf } from '../elf/index.js';
import { fixupDatasecs, markHiddenSubprogramsStatic } from './btf-fixup.js';
import { ObjectError } from './errors.js';
import { collectExterns } from './externs.js';
import { type ElfFunction, collectFunctions } from './functions.js';
import { objectLayout, readKernelVersion, readLicense } from './layout.js';
import { type LinkInput, type LinkedProgram, linkProgram } from './link.js';
import type { MapOptions } from './maps-btf.js';
import { collectMaps } from './maps.js';
import { objectName } from './naming.js';
import { matchSection } from './section-defs.js';
import { collectProgramRelocations } from './prog-relocs.js';
import type { ObjectSpec, ProgramSpec } from './types.js';

export interface ReadObjectOptions {
  /** The object name (libbpf's object_name option), used for global data map names. */
  readonly name?: string;
  /** The file the bytes came from; its name up to the first '.' names the object otherwise. */
  readonly path?: string;
  /** Page size ring buffer sizes are rounded to. Default 4096. */
  readonly pageSize?: number;
  /** Where maps pinned by name live. Default /sys/fs/bpf. */
  readonly pinRoot?: string;
}

/**
 * Reads an eBPF object (ELF for EM_BPF, either byte order). Throws ElfError for malformed
 * ELF, BtfError for malformed BTF, ObjectError for an object libbpf would refuse; all are
 * BpfErrors with an errno code.
 */
export function readObject(bytes: Uint8Array, options: ReadObjectOptions = {}): ObjectSpec {
  const elf = readElf(bytes);
  const name = objectName(options);
  const mapOptions: MapOptions = { pageSize: options.pageSize ?? 4096, pinRoot: options.pinRoot ?? '/sys/fs/bpf' };
  if (elf.symtabIndex === 0) throw new ObjectError("couldn't find a symbol table: stripped object file?", 'ENOENT');
  const layout = objectLayout(elf);
  const little = elf.header.endian === 'little';
  const license = readLicense(layout.license);
  const kernelVersion = readKernelVersion(layout.version, little);

  const parsedBtf = layout.btf ? parseBtf(layout.btf.data) : undefined;
  const btfExt: BtfExt | undefined = layout.btfExt && parsedBtf ? parseBtfExt(layout.btfExt.data, parsedBtf) : undefined;
  const functions = collectFunctions(elf, layout);

  const types: BtfType[] | undefined = parsedBtf ? [...parsedBtf.types] : undefined;
  const externs = collectExterns(elf, parsedBtf, types ?? []);
  if (types) {
    fixupDatasecs(elf, types);
    markHiddenSubprogramsStatic(types, functions);
  }
  const btf: Btf | undefined = parsedBtf && types ? { types, strings: parsedBtf.strings } : undefined;

  const maps = collectMaps(elf, layout, btf, externs, functions, name, mapOptions);
  const relocs = collectProgramRelocations(elf, layout, functions, externs, maps.lookup);

  const linkInput: LinkInput = {
    functions,
    textIndex: layout.text?.index,
    relocs,
    btfExt,
    sectionIndex: (sec) => findSection(elf, sec)?.index,
    kconfigMap: maps.kconfigMap,
  };
  const programs = functions.filter((f) => !f.subprogram).map((fn) => programSpec(fn, linkProgram(fn, linkInput), license, kernelVersion));

  return { name, endian: elf.header.endian, license, kernelVersion, programs, maps: maps.list, btf, btfExt, externs: externs.list };
}

/** The spec of an entry program: what its section means, and its linked code. */
function programSpec(fn: ElfFunction, linked: LinkedProgram, license: string, kernelVersion: number | undefined): ProgramSpec {
  const meaning = matchSection(fn.sectionName);
  return {
    name: fn.name,
    sectionName: fn.sectionName,
    autoload: fn.autoload,
    type: meaning.progType,
    expectedAttachType: meaning.expectedAttachType,
    attachTo: meaning.attachTo,
    flags: meaning.progFlags,
    secDef: meaning.def?.sec,
    sectionOffset: fn.offset,
    ...linked,
    license,
    kernelVersion,
  };
}
