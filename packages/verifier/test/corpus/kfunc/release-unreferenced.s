# A task pointer that holds no reference (a ksym) cannot be released.
# prog_type: sched_cls
# kfunc: 1001 bpf_task_acquire
# kfunc: 1002 bpf_task_release
# kfunc: 1003 bpf_task_from_pid
# kfunc: 1004 bpf_rcu_read_lock
# kfunc: 1005 bpf_rcu_read_unlock
# kstruct: 50 task_struct 9792
# kstruct: 60 cgroup 1024
# ksym: 200 bpf_prog_active 4 percpu
# ksym: 201 init_task 9792 struct=50
# ksym: 202 jiffies 8
# expect: reject EINVAL R1 must be referenced or trusted
ld_pseudo r1, 3, 201
call kfunc#1002
r0 = 0
exit
