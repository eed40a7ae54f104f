# A 32-bit fill of a 64-bit spilled constant gives its low half.
# log_level: 2
# expect: accept
r1 = 0x100000005 ll
*(u64 *)(r10 - 8) = r1
r0 = *(u32 *)(r10 - 8)
if r0 != 5 goto bad
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
