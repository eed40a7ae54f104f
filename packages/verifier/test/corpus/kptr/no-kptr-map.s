# bpf_kptr_xchg needs a map whose value has a kptr.
# prog_type: sched_cls
# kstruct: 50 task_struct 9792
# map: 1 array key=4 value=32 entries=4 name=plain
# expect: reject EINVAL map 'plain' has no valid kptr
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r6
r2 = 0
call bpf_kptr_xchg
out:
r0 = 0
exit
