# Looking up an outer map gives the inner map after the NULL check.
# map: 1 array_of_maps key=4 value=4 entries=4 inner=hash:4:8:16
# log_level: 2
# expect: accept
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
