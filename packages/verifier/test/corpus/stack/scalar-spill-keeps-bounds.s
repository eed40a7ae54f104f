# With CAP_BPF a spilled scalar keeps its bounds.
# map: 1 array key=4 value=16 entries=1
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: accept
r6 = *(u32 *)(r1 + 12)
r6 &= 7
*(u64 *)(r10 - 16) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = *(u64 *)(r10 - 16)
r0 += r6
r0 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
