# An 8-byte key needs 8 initialized bytes.
# map: 1 hash key=8 value=8 entries=16
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: reject EACCES invalid read from stack R2 off -8+0 size 8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -8
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
r0 = 0
exit
