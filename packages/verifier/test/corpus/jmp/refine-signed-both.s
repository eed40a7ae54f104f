# Signed checks on both sides bound the offset.
# map: 1 array key=4 value=32 entries=1
# expect: accept
r6 = *(u32 *)(r1 + 12)
r6 <<= 32
r6 s>>= 32
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
if r6 s> 24 goto out
if r6 s< 0 goto out
r0 += r6
r0 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
