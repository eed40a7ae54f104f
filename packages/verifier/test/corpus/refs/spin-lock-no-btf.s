# prog_type: sched_cls
# map: 1 array key=4 value=16 entries=1 name=plain
# expect: reject EINVAL map 'plain' has to have BTF in order to use bpf_spin_lock
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r6
call bpf_spin_lock
out:
r0 = 0
exit
