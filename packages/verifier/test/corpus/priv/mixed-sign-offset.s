# Spectre v1: an offset that may be negative or positive.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R3 has unknown scalar with mixed signed bounds, pointer arithmetic with it prohibited for !root
r3 = *(u32 *)(r1 + 0)
r3 &= 15
r3 += -8
r2 = r10
r2 += -16
r2 += r3
r0 = 0
exit
