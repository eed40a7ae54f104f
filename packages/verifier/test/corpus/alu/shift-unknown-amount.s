# A shift by an unknown amount leaves nothing known.
# map: 1 array key=4 value=256 entries=1
# expect: reject EACCES math between map_value pointer and register with unbounded min value is not allowed
r6 = *(u32 *)(r1 + 12)
r7 = *(u32 *)(r1 + 16)
r6 &= 7
r6 <<= r7
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
