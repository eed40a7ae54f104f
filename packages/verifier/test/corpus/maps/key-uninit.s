# The key must be initialized stack.
# map: 1 hash key=4 value=8 entries=16
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: reject EACCES invalid read from stack R2 off=-8 size=4
r2 = r10
r2 += -8
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
r0 = 0
exit
