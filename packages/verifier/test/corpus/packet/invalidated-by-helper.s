# bpf_xdp_adjust_head moves the packet: old packet pointers are gone.
# expect: reject EACCES R6 invalid mem access 'scalar'
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
r4 = r6
r4 += 4
if r4 > r7 goto drop
r2 = 4
call bpf_xdp_adjust_head
r0 = *(u8 *)(r6 + 0)
exit
drop:
r0 = 1
exit
