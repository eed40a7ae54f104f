# bpf_get_current_task_btf gives a trusted task_struct: bpf_task_acquire takes a reference on it.
# prog_type: tracepoint
# privileges: CAP_BPF CAP_PERFMON
# kfunc: 1001 bpf_task_acquire
# kfunc: 1002 bpf_task_release
# kstruct: 50 task_struct 9792
# expect: accept
call bpf_get_current_task_btf
r1 = r0
call kfunc#1001
if r0 == 0 goto out
r6 = *(u32 *)(r0 + 2468)
r1 = r0
call kfunc#1002
out:
r0 = 0
exit
