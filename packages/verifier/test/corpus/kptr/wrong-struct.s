# A kfunc argument must point to the struct its prototype names.
# prog_type: sched_cls
# kfunc: 1001 bpf_task_acquire
# kfunc: 1002 bpf_task_release
# kfunc: 1003 bpf_task_from_pid
# kfunc: 1004 bpf_rcu_read_lock
# kfunc: 1005 bpf_rcu_read_unlock
# kstruct: 50 task_struct 9792
# kstruct: 60 cgroup 1024
# ksym: 201 init_task 9792 struct=50
# map: 1 array key=4 value=32 entries=4 name=tasks kptr=8:ref:50,16:untrusted:50,24:ref:60
# expect: reject EINVAL kernel function bpf_task_acquire args#0 expected pointer to STRUCT task_struct but R1 has a pointer to STRUCT cgroup
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = *(u64 *)(r6 + 24)
if r1 == 0 goto out
call kfunc#1001
if r0 == 0 goto out
r1 = r0
call kfunc#1002
out:
r0 = 0
exit
