# The timer's bytes are not read or written by loads and stores.
# prog_type: sched_cls
# map: 1 array key=4 value=24 entries=1 timer=8 btf name=timers
# expect: reject EACCES bpf_timer cannot be accessed directly by load/store
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
*(u64 *)(r0 + 16) = 0
out:
r0 = 0
exit
