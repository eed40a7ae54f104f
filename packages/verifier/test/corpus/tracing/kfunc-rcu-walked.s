# bpf_task_acquire (KF_RCU) takes next->real_parent, an RCU-protected pointer.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# log_level: 2
# expect: accept
r2 = *(u64 *)(r1 + 16)
r1 = *(u64 *)(r2 + 16)
call kfunc#bpf_task_acquire
if r0 == 0 goto out
r1 = r0
call kfunc#bpf_task_release
out:
r0 = 0
exit
