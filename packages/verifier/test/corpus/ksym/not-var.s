# ... of a VAR.
# prog_type: sched_cls
# kstruct: 50 task_struct 9792
# kfunc: 1003 bpf_task_from_pid
# ksym: 200 bpf_prog_active 4 percpu
# ksym: 201 init_task 9792 struct=50
# ksym: 202 jiffies 8
# expect: reject EINVAL pseudo btf_id 1003 in ldimm64 isn't KIND_VAR.
ld_pseudo r1, 3, 1003
r0 = 0
exit
