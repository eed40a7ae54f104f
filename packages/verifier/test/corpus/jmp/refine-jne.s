# `!=` against a bound edge narrows the range by one.
# log_level: 2
# expect: accept
r6 = *(u32 *)(r1 + 12)
r6 &= 3
if r6 != 3 goto small
r0 = 0
exit
small:
if r6 > 2 goto bad
r0 = 1
exit
bad:
r0 = *(u64 *)(r6 + 0)
exit
