# In a sleepable lsm program outside bpf_rcu_read_lock, task->real_parent is untrusted: readable,
# but bpf_task_acquire (KF_RCU) refuses it.
# prog_type: lsm
# attach: lsm_mac
# flags: 16
# kernel: kernel.btf
# attach_func: bpf_lsm_task_alloc
# log_level: 2
# expect: reject EINVAL R1 must be a rcu pointer
r2 = *(u64 *)(r1 + 0)
r3 = *(u32 *)(r2 + 8)
r1 = *(u64 *)(r2 + 16)
call kfunc#bpf_task_acquire
if r0 == 0 goto out
r1 = r0
call kfunc#bpf_task_release
out:
r0 = 0
exit
