# imm must be a BTF id of the kernel.
# prog_type: sched_cls
# kstruct: 50 task_struct 9792
# kfunc: 1003 bpf_task_from_pid
# ksym: 200 bpf_prog_active 4 percpu
# ksym: 201 init_task 9792 struct=50
# ksym: 202 jiffies 8
# expect: reject ENOENT ldimm64 insn specifies invalid btf_id 999.
ld_pseudo r1, 3, 999
r0 = 0
exit
