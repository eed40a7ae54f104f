/**
 * What loading an ObjectSpec takes and gives: options in the spirit of libbpf's
 * bpf_object_open_opts and bpf_map__reuse_fd, and the Collection of loaded objects (ids the
 * kernel-sim and the maps-store handed out), kept apart from the specs they came from.
 */
import type { Btf } from '@bpfhive/uapi';
import type { MapSpec, ProgramSpec } from '../object/index.js';
import type { ObjectCloser } from './closer.js';

/** One step of loadCollection done: the `done`-th of `total` maps obtained, or programs loaded. */
export interface LoadProgress {
  readonly kind: 'map' | 'program';
  /** The map's or program's name in the object. */
  readonly name: string;
  /** 1-based count of this kind done so far. */
  readonly done: number;
  readonly total: number;
}

export interface LoadOptions {
  /**
   * Where maps with `pinning: LIBBPF_PIN_BY_NAME` are looked for and pinned: `<pinRoot>/<name>`.
   * Default: the spec's pinPath (readObject's pinRoot, /sys/fs/bpf).
   */
  readonly pinRoot?: string;
  /**
   * Existing maps to use instead of creating these (libbpf's bpf_map__reuse_fd, bpftool's
   * `map name NAME id ID`), by the name in the spec. A reused map is neither filled, frozen,
   * pinned nor closed.
   */
  readonly reuseMaps?: ReadonlyMap<string, number>;
  /** prog_type and expected_attach_type for every program, whatever its section says (bpftool's `type TYPE`). */
  readonly programType?: { readonly type: number; readonly expectedAttachType: number };
  /** BPF_PROG_LOAD's log_level for every program; the log is kept on each LoadedProgram. */
  readonly logLevel?: number;
  /**
   * BPF_PROG_LOAD's log_size with logLevel (default: the wire's LOG_SIZE_DEFAULT). A log that does
   * not fit (ENOSPC) is retried with a buffer grown to log_true_size, at most LOG_SIZE_MAX.
   */
  readonly logSize?: number;
  /**
   * Kconfig values for `.kconfig` externs, as a kernel `.config` writes them: `y`, `m`, `n`,
   * numbers (`1000`, `0x10`), `"strings"`. `CONFIG_` names only; libbpf's own
   * (LINUX_KERNEL_VERSION, LINUX_HAS_*) are filled in by the loader.
   */
  readonly kconfig?: Readonly<Record<string, string>>;
  /** LINUX_KERNEL_VERSION, as KERNEL_VERSION(a, b, c) packs it. Default DEFAULT_KERNEL_VERSION. */
  readonly kernelVersion?: number;
  /**
   * The kernel's BTF, the target of the programs' CO-RE relocations (libbpf applies them
   * against /sys/kernel/btf/vmlinux; bpfhive's is the kernel-sim's vmlinux.btf). Without it,
   * instructions keep the offsets the compiler took from the object's own types. It is also
   * where fentry/fexit/fmod_ret/tp_btf/lsm/iter programs find their attach_btf_id (libbpf's
   * libbpf_find_attach_btf_id). Absent, loadCollection fetches the kernel-sim's (BTF object 1,
   * fetchKernelBtf) when the object needs it (needsKernelBtf), as libbpf loads vmlinux BTF
   * itself; given, it is used instead (libbpf's btf_custom_path).
   */
  readonly kernelBtf?: Btf;
  /**
   * Whether loadCollection fetches the kernel's BTF when the object needs it and `kernelBtf`
   * gives none (default true). false loads as on a kernel without BTF: CO-RE relocations keep
   * the compiler's offsets, typed ksyms find nothing, tracing programs go without attach_btf_id.
   */
  readonly loadKernelBtf?: boolean;
  /** Receives libbpf's warnings: a CO-RE relocation that found no target and poisoned its instruction. */
  readonly onWarning?: (message: string) => void;
  /** Told after each map is created (or reused) and each program loaded, for a progress display. */
  readonly onProgress?: (event: LoadProgress) => void;
  /** Releases objects on failure and on close(); default natsCloser(client). */
  readonly closer?: ObjectCloser;
}

/** A map of a loaded collection. */
export interface LoadedMap {
  readonly id: number;
  readonly spec: MapSpec;
  /** True when the map existed before (reuseMaps, or pinned by name): never filled, pinned or closed by the loader. */
  readonly reused: boolean;
  /** Where the map is pinned, by the loader or already. */
  readonly pins: readonly string[];
}

/** A program of a loaded collection. */
export interface LoadedProgram {
  readonly id: number;
  readonly spec: ProgramSpec;
  /** The verifier log, when LoadOptions.logLevel asked for one. */
  readonly log: string | undefined;
  /** Instructions the verifier processed. */
  readonly verifiedInsns: number;
  /** Where the program is pinned (Collection.pinProgram). */
  readonly pins: readonly string[];
}

/**
 * A loaded object: every map and every program that is loaded by default (sections without a
 * leading '?'), by their names in the spec. Pins hold objects past close().
 */
export interface Collection {
  readonly maps: ReadonlyMap<string, LoadedMap>;
  readonly programs: ReadonlyMap<string, LoadedProgram>;
  /** BPF_OBJ_PIN of a program; ENOENT (LoadError-free BpfSyscallError) for an unknown name. */
  pinProgram(name: string, pathname: string): Promise<void>;
  /** BPF_OBJ_PIN of a map; a map already pinned at `pathname` is left as it is. */
  pinMap(name: string, pathname: string): Promise<void>;
  /**
   * Closes the handle of every program and every map this load created, as bpf_object__close
   * closes their fds: pinned ones stay, held by their pins, and so do reused ones. Tries them
   * all; then throws CloseError listing those that could not be closed.
   */
  close(): Promise<void>;
}
