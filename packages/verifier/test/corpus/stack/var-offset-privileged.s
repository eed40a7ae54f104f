# A variable offset inside initialized stack.
# expect: accept
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r3 = *(u32 *)(r1 + 12)
r3 &= 8
r2 = r10
r2 += -16
r2 += r3
r0 = *(u64 *)(r2 + 0)
exit
