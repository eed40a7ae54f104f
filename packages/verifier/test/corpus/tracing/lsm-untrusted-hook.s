# lsm/task_free is one of untrusted_lsm_hooks: the task being freed reads as a plain
# ptr_task_struct, not trusted, so bpf_task_acquire (KF_RCU) refuses it.
# prog_type: lsm
# attach: lsm_mac
# kernel: kernel.btf
# attach_func: bpf_lsm_task_free
# log_level: 2
# expect: reject EINVAL R1 must be a rcu pointer
r1 = *(u64 *)(r1 + 0)
call kfunc#bpf_task_acquire
if r0 == 0 goto out
r1 = r0
call kfunc#bpf_task_release
out:
r0 = 0
exit
