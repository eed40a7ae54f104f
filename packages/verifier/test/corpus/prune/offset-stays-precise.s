# Pruning soundness: the first path reaches the join with a safe offset, the second with a bad
# one. The offset decided an access, so it is precise at the join and the second path is checked.
# flags: 8
# map: 1 array key=4 value=8 entries=1
# expect: reject EACCES invalid access to map value, value_size=8 off=100 size=1
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
r0 += r7
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
