# Out of a trusted task, in a non-sleepable program (always in an RCU read section): real_parent
# is RCU-protected (BTF_TYPE_SAFE_RCU), parent and mm are old-style ptr_, a union's pointer untrusted.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# log_level: 2
# expect: accept
r2 = *(u64 *)(r1 + 16)
r3 = *(u64 *)(r2 + 16)
r4 = *(u64 *)(r2 + 24)
r5 = *(u64 *)(r2 + 48)
r6 = *(u64 *)(r5 + 0)
r7 = *(u64 *)(r2 + 120)
r0 = 0
exit
