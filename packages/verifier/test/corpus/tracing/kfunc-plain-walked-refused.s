# next->parent is not on the kernel's allowlist: an old-style ptr_, neither trusted nor RCU, which
# bpf_task_acquire refuses.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# expect: reject EINVAL R1 must be a rcu pointer
r2 = *(u64 *)(r1 + 16)
r1 = *(u64 *)(r2 + 24)
call kfunc#bpf_task_acquire
if r0 == 0 goto out
r1 = r0
call kfunc#bpf_task_release
out:
r0 = 0
exit
