# A callee may read and write its caller's stack through a pointer.
# expect: accept
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call f
r0 = *(u64 *)(r10 - 8)
exit
f:
r2 = *(u64 *)(r1 + 0)
r2 += 1
*(u64 *)(r1 + 0) = r2
r0 = 0
exit
