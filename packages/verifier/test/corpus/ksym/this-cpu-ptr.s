# A per-CPU int ksym becomes this CPU's read-only int through bpf_this_cpu_ptr.
# prog_type: sched_cls
# kstruct: 50 task_struct 9792
# kfunc: 1003 bpf_task_from_pid
# ksym: 200 bpf_prog_active 4 percpu
# ksym: 201 init_task 9792 struct=50
# ksym: 202 jiffies 8
# expect: accept
ld_pseudo r1, 3, 200
call bpf_this_cpu_ptr
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
