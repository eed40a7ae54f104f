# `!= 0` form of a NULL check.
# map: 1 hash key=4 value=8 entries=16
# expect: accept
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 != 0 goto found
r0 = 0
exit
found:
r0 = *(u64 *)(r0 + 0)
exit
