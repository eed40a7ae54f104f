# map: 1 hash key=4 value=8 entries=16
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: reject EACCES invalid read from stack R3 off -16+0 size 8
*(u32 *)(r10 - 4) = 0
*(u32 *)(r10 - 24) = 0
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
ld_pseudo r1, 1, 1
call bpf_map_update_elem
r0 = 0
exit
