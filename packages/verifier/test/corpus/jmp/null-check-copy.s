# The NULL check of one copy applies to the other (same id).
# map: 1 hash key=4 value=8 entries=16
# expect: accept
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
r6 = r0
if r0 == 0 goto out
r0 = *(u64 *)(r6 + 0)
exit
out:
r0 = 0
exit
