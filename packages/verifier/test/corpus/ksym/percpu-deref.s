# A per-CPU pointer is not memory until a CPU is chosen.
# prog_type: sched_cls
# kstruct: 50 task_struct 9792
# kfunc: 1003 bpf_task_from_pid
# ksym: 200 bpf_prog_active 4 percpu
# ksym: 201 init_task 9792 struct=50
# ksym: 202 jiffies 8
# expect: reject EACCES R1 invalid mem access 'percpu_ptr_'
ld_pseudo r1, 3, 200
r0 = *(u32 *)(r1 + 0)
r0 = 0
exit
