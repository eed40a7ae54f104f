# ... and the CPU's copy once checked.
# prog_type: sched_cls
# kstruct: 50 task_struct 9792
# kfunc: 1003 bpf_task_from_pid
# ksym: 200 bpf_prog_active 4 percpu
# ksym: 201 init_task 9792 struct=50
# ksym: 202 jiffies 8
# expect: accept
ld_pseudo r1, 3, 200
r2 = 1
call bpf_per_cpu_ptr
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 0)
out:
r0 = 0
exit
