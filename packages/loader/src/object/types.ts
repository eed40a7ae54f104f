/**
 * What an eBPF object holds, as plain data: the result of readObject, in the spirit of
 * cilium/ebpf's CollectionSpec. Nothing here refers to a loaded map or program; ids exist
 * only once the kernel-sim has accepted them, and the loader fills them in then.
 *
 * Instruction positions are given twice, as `index` (into `ProgramSpec.instructions`, where
 * a `lddw` is one element) and as `slot` (8-byte units, what the kernel counts in
 * func_info, line_info, jump and call offsets).
 */
import type { Btf, BtfExt, Endianness, Instruction } from '@bpfhive/uapi';

/** A position in a program's instructions. */
export interface InsnPosition {
  /** Index into `ProgramSpec.instructions`. */
  readonly index: number;
  /** Slot (8-byte instruction unit) in the program, as the kernel counts. */
  readonly slot: number;
}

/**
 * A reference the loader resolves at load time. The instruction already carries the right
 * pseudo source (and, for map values, the offset in `imm2`); the loader puts the id in `imm`.
 */
export type Relocation =
  /** `lddw rX, map`: src BPF_PSEUDO_MAP_FD, imm := the map's id. */
  | (InsnPosition & { readonly kind: 'map'; readonly map: string })
  /**
   * `lddw rX, &var`: src BPF_PSEUDO_MAP_VALUE, imm := the map's id, imm2 (already set) is
   * the byte offset in the map's value. Global data and `.kconfig` externs (`extern` set).
   */
  | (InsnPosition & { readonly kind: 'map_value'; readonly map: string; readonly offset: number; readonly extern?: string })
  /**
   * `lddw rX, &ksym`: a kernel variable. Typed ksyms become src BPF_PSEUDO_BTF_ID with the
   * kernel BTF id in imm (and the BTF object in imm2); typeless ones a plain address. The
   * instruction is left as compiled (src 0, imm 0).
   */
  | (InsnPosition & { readonly kind: 'ksym'; readonly extern: string })
  /** `call kfunc`: src BPF_PSEUDO_KFUNC_CALL (set), imm := the kernel BTF id of the function. */
  | (InsnPosition & { readonly kind: 'kfunc'; readonly extern: string });

/** A function of a linked program: the program itself at 0, appended subprograms after it. */
export interface ProgramFunction extends InsnPosition {
  readonly name: string;
  /**
   * Global and not hidden: its BTF FUNC is global, and the kernel verifies such a subprogram
   * on its own rather than in its caller's context.
   */
  readonly global: boolean;
  /** Number of instructions (elements) and slots. */
  readonly length: number;
  readonly slots: number;
}

/** `struct bpf_func_info` for the kernel: slot of the function start, its BTF FUNC. */
export interface FuncInfo {
  readonly insnOff: number;
  readonly typeId: number;
}

/** `struct bpf_line_info` for the kernel (offsets into the BTF string table) plus the text. */
export interface LineInfo {
  /** Slot of the first instruction of the line. */
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly lineNum: number;
  readonly column: number;
  readonly fileName: string;
  readonly line: string;
}

/** A CO-RE relocation of one instruction, kept for applying against a kernel's BTF. */
export interface CoreRelocation extends InsnPosition {
  /** Root type id in the object's BTF. */
  readonly typeId: number;
  readonly accessStr: string;
  readonly access: readonly number[];
  /** CoreReloKind. */
  readonly kind: number;
}

/** Flags libbpf adds to BPF_PROG_LOAD for a section (`prog_flags`). */
export const ProgLoadFlag = {
  SLEEPABLE: 1 << 4,
  XDP_HAS_FRAGS: 1 << 5,
} as const;

export interface ProgramSpec {
  /** The function's symbol name. */
  readonly name: string;
  /** The ELF section, without a leading '?'. */
  readonly sectionName: string;
  /** False when the section name started with '?' (libbpf: not loaded by default). */
  readonly autoload: boolean;
  /** bpf_prog_type from the section name; 0 (UNSPEC) when no SEC_DEF matches. */
  readonly type: number;
  /** bpf_attach_type for BPF_PROG_LOAD, 0 when the section implies none. */
  readonly expectedAttachType: number;
  /** What the section names after its prefix: `do_unlinkat` for `kprobe/do_unlinkat`. */
  readonly attachTo: string | undefined;
  /** ProgLoadFlag bits implied by the section (sleepable, XDP frags). */
  readonly flags: number;
  /** The section definition that matched, for attach logic ("kprobe+", "xdp.frags/devmap"). */
  readonly secDef: string | undefined;
  /** The program followed by the subprograms it calls, call offsets fixed. */
  readonly instructions: readonly Instruction[];
  /** The functions in `instructions`, the program first. */
  readonly functions: readonly ProgramFunction[];
  /** Byte offset of the program in its section. */
  readonly sectionOffset: number;
  /** Map, global data and extern references to resolve at load time, by position. */
  readonly relocations: readonly Relocation[];
  readonly funcInfo: readonly FuncInfo[];
  readonly lineInfo: readonly LineInfo[];
  readonly coreRelocations: readonly CoreRelocation[];
  readonly license: string;
  readonly kernelVersion: number | undefined;
}

/** Where a map definition came from. */
export type MapOrigin = 'btf' | 'legacy' | 'data' | 'rodata' | 'bss' | 'kconfig';

/** An initial value of a map-in-map or program array slot (`.values = { [i] = &x }`). */
export interface MapSlotInit {
  readonly slot: number;
  readonly kind: 'map' | 'program';
  /** The map (MapSpec.name) or program (ProgramSpec.name) to put there. */
  readonly name: string;
}

/** LIBBPF_PIN_*: whether the map is pinned by name. */
export const MapPinning = { NONE: 0, BY_NAME: 1 } as const;

export interface MapSpec {
  /** The name given to the kernel: the variable, or for global data `<obj8>.rodata`. */
  readonly name: string;
  /** The ELF section: `.maps`, `maps`, `.rodata`, `.data.custom`, `.kconfig`. */
  readonly sectionName: string;
  readonly origin: MapOrigin;
  /** bpf_map_type. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_F_* map flags. */
  readonly flags: number;
  readonly numaNode: number;
  readonly mapExtra: number;
  /** MapPinning. */
  readonly pinning: number;
  /** `/sys/fs/bpf/<name>` when pinned by name. */
  readonly pinPath: string | undefined;
  /** BTF type ids of key and value in the object's BTF; 0 when unknown. */
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** The template of the maps this map-in-map holds. */
  readonly innerMap: MapSpec | undefined;
  /** Initial slots of a map-in-map or program array. */
  readonly initialSlots: readonly MapSlotInit[];
  /**
   * The one value of a global data map (max_entries 1, key 0): the section's bytes, zeros
   * for .bss and .kconfig. Undefined for other maps.
   */
  readonly contents: Uint8Array | undefined;
  /** Freeze after the contents are written (.rodata, .kconfig), as libbpf does. */
  readonly freeze: boolean;
}

/** The kinds of `.kconfig` extern libbpf understands. */
export type KconfigType = 'char' | 'bool' | 'int' | 'tristate' | 'char_array';

/** An extern the object needs: a Kconfig value or a kernel symbol. */
export interface ExternSpec {
  readonly name: string;
  readonly kind: 'kconfig' | 'ksym';
  /** `__weak`: may stay unresolved (0). */
  readonly weak: boolean;
  /** The VAR or FUNC in the object's BTF. */
  readonly btfId: number;
  /** kconfig: how the value is written into the `.kconfig` map. */
  readonly kconfig?: {
    readonly type: KconfigType;
    readonly size: number;
    readonly align: number;
    /** Byte offset in the `.kconfig` map's value. */
    readonly offset: number;
    readonly signed: boolean;
  };
  /** ksym: the variable's type (0 for `void`, a typeless ksym), or that it is a kfunc. */
  readonly ksym?: { readonly typeId: number; readonly func: boolean };
}

export interface ObjectSpec {
  /** The object name (libbpf: file name up to its first '.'), prefix of global data maps. */
  readonly name: string;
  readonly endian: Endianness;
  readonly license: string;
  /** The `version` section, when the object has one. */
  readonly kernelVersion: number | undefined;
  /** Entry programs in libbpf's order: by section, then by offset. */
  readonly programs: readonly ProgramSpec[];
  /** Maps in libbpf's order: legacy, BTF-defined, global data, .kconfig. */
  readonly maps: readonly MapSpec[];
  /** The object's BTF as the kernel should receive it (DATASEC sizes and offsets filled in). */
  readonly btf: Btf | undefined;
  /** The object's .BTF.ext as compiled. */
  readonly btfExt: BtfExt | undefined;
  readonly externs: readonly ExternSpec[];
}
