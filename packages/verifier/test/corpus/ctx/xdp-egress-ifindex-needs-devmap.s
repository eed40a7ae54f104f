# egress_ifindex is there only for programs run from a devmap.
# expect: reject EACCES invalid bpf_context access off=20 size=4
r0 = *(u32 *)(r1 + 20)
exit
