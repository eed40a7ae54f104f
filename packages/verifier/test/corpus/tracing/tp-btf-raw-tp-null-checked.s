# tp_btf/sched_pi_setprio: pi_task (arg1) may be NULL; once checked it is a trusted pointer again.
# tsk (arg0), which raw_tp_null_args does not mark, is trusted from the start.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_pi_setprio
# log_level: 2
# expect: accept
r2 = *(u64 *)(r1 + 0)
r3 = *(u32 *)(r2 + 8)
r0 = 0
r4 = *(u64 *)(r1 + 8)
if r4 == 0 goto out
r0 = *(u32 *)(r4 + 8)
out:
exit
