# Stored zeros read back as the constant 0.
# log_level: 2
# expect: accept
*(u64 *)(r10 - 8) = 0
r0 = *(u32 *)(r10 - 8)
if r0 != 0 goto bad
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
