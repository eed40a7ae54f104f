# map: 1 hash key=4 value=8 entries=16
# expect: reject EACCES R0 unbounded memory access, make sure to bounds check any such access
r6 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
