# The same with the offset spilled to the stack across the join.
# flags: 8
# privileges: CAP_BPF CAP_NET_ADMIN
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
*(u64 *)(r10 - 16) = r7
r7 = 0
r8 = *(u64 *)(r10 - 16)
r0 += r8
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
