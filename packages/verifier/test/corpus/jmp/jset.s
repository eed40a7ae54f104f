# JSET with one bit: the taken edge knows the bit is set, the other that it is clear.
# log_level: 2
# expect: accept
r6 = *(u32 *)(r1 + 12)
r6 &= 6
if r6 & 4 goto set
if r6 > 2 goto bad
r0 = 0
exit
set:
if r6 < 4 goto bad
r0 = 1
exit
bad:
r0 = *(u64 *)(r6 + 0)
exit
