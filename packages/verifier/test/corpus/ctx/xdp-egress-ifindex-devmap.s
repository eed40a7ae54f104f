# attach: xdp_devmap
# expect: accept
r0 = *(u32 *)(r1 + 20)
exit
