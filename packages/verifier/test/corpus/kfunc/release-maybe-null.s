# Releasing the result of bpf_task_from_pid before its NULL check: KF_RELEASE arguments are trusted and never NULL.
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
# expect: reject EACCES Possibly NULL pointer passed to trusted arg0
r1 = 1
call kfunc#1003
r1 = r0
call kfunc#1002
r0 = 0
exit
