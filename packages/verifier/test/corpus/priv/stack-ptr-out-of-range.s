# Spectre v1: a stack pointer must stay in the stack.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R2 stack pointer arithmetic goes out of range, prohibited for !root; off=8
r2 = r10
r3 = 8
r2 += r3
r2 += -8
r0 = 0
exit
