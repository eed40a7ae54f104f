# An accumulator nothing checks is not traced: the second path is pruned at the join.
# flags: 8
# map: 1 array key=4 value=8 entries=1
# log_level: 2
# expect: accept
r6 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r7 = 100
if r6 > 10 goto join
r7 = 0
join:
r8 = *(u64 *)(r0 + 0)
r8 += r7
*(u64 *)(r0 + 0) = r8
out:
r0 = 0
exit
