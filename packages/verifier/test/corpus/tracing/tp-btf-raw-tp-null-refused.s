# tp_btf/sched_pi_setprio: raw_tp_null_args marks pi_task (arg1) as possibly NULL, so it reads as
# trusted_ptr_or_null_task_struct and a load through it without a null check is refused (the
# kernel's raw_tp_null selftest).
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_pi_setprio
# log_level: 2
# expect: reject EACCES R1 invalid mem access 'trusted_ptr_or_null_'
r1 = *(u64 *)(r1 + 8)
r1 = *(u64 *)(r1 + 0)
r0 = 0
exit
