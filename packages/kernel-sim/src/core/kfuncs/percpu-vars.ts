/**
 * The kernel's per-CPU variables (the `.data..percpu` VARs of its BTF) in real memory: one area
 * per CPU, each as big as the section, CPU n's at `base + n × area`. A typed ksym load
 * (`lddw` src_reg 3) of such a variable becomes the address of CPU 0's copy, the per-CPU
 * pointer; bpf_this_cpu_ptr / bpf_per_cpu_ptr add the CPU's offset, as Linux adds
 * __per_cpu_offset[cpu]. Nothing of bpfhive writes them yet: `bpf_prog_active` reads 0, as on a
 * CPU that runs no kprobe, tracepoint or perf_event program through trace_call_bpf.
 */
import type { Arena } from '@bpfhive/maps-store';
import type { Btf } from '@bpfhive/uapi';
import { percpuVars } from '@bpfhive/uapi';

export class PerCpuVars {
  readonly base: number;
  readonly area: number;
  readonly #vars: Map<number, { offset: number; size: number }>;

  constructor(arena: Arena, btf: Btf, readonly cpus: number) {
    this.#vars = percpuVars(btf);
    const end = Math.max(8, ...[...this.#vars.values()].map((v) => v.offset + v.size));
    this.area = Math.ceil(end / 64) * 64;
    this.base = arena.alloc(this.area * cpus);
    arena.bytes.fill(0, this.base, this.base + this.area * cpus);
  }

  /** The per-CPU pointer of VAR `btfId` (CPU 0's copy), or undefined when it is not a per-CPU variable. */
  addressOf(btfId: number): number | undefined {
    const v = this.#vars.get(btfId);
    return v && this.base + v.offset;
  }

  /** bpf_per_cpu_ptr: CPU `cpu`'s copy of the variable at per-CPU pointer `ptr`; 0 for a CPU that does not exist. */
  onCpu(ptr: number, cpu: number): number {
    return cpu >= 0 && cpu < this.cpus ? ptr + cpu * this.area : 0;
  }
}
