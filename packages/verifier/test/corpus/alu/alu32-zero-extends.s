# A 32-bit result has its upper half zero: the branch to `bad` is dead.
# expect: accept
r0 = -1
w0 += 0
if r0 > 0xffffffff goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
