# Take the lock, update the value, release it.
# prog_type: sched_cls
# map: 1 array key=4 value=16 entries=1 spin_lock=0 name=counters
# log_level: 2
# expect: accept
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r6
call bpf_spin_lock
r1 = *(u64 *)(r6 + 8)
r1 += 1
*(u64 *)(r6 + 8) = r1
r1 = r6
call bpf_spin_unlock
out:
r0 = 0
exit
