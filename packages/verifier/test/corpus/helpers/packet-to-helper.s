# Map helpers may be given packet memory (as key).
# map: 1 hash key=4 value=8 entries=4
# expect: accept
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto out
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
out:
r0 = 2
exit
