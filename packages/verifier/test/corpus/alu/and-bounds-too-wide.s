# `&= 15` leaves offsets up to 15 for an 8-byte load in a 16-byte value.
# map: 1 array key=4 value=16 entries=1
# expect: reject EACCES invalid access to map value, value_size=16 off=15 size=8
r6 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 15
r0 += r6
r0 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
