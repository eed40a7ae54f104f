# Without CAP_PERFMON a stack pointer moves only by constants.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R2 variable stack access prohibited for !root
r3 = *(u32 *)(r1 + 0)
r3 &= 8
r2 = r10
r2 += -16
r2 += r3
r0 = 0
exit
