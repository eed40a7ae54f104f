# xdp_md fields: packet pointers and scalars.
# log_level: 2
# expect: accept
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = *(u32 *)(r1 + 8)
r0 = *(u32 *)(r1 + 16)
exit
