# The lock's bytes are off limits to loads and stores.
# prog_type: sched_cls
# map: 1 array key=4 value=16 entries=1 spin_lock=0
# expect: reject EACCES bpf_spin_lock cannot be accessed directly by load/store
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u32 *)(r0 + 0)
out:
r0 = 0
exit
