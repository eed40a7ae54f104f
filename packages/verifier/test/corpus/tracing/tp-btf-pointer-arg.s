# tp_btf/sched_switch: `next` (arg2) is a trusted pointer to struct task_struct, so next->pid and
# next->__state are plain loads (libbpf-tools' runqlat, offcputime), typed by the member read.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# log_level: 2
# expect: accept
r2 = *(u64 *)(r1 + 16)
r3 = *(u32 *)(r2 + 8)
r4 = *(u32 *)(r2 + 0)
r0 = 0
exit
