# A number is no kernel pointer.
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
# expect: reject EACCES invalid kptr access, R7 type=scalar expected=ptr_task_struct
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r7 = 5
*(u64 *)(r6 + 16) = r7
out:
r0 = 0
exit
