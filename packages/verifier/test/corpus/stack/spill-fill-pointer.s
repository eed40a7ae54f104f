# A spilled pointer fills back with its type.
# log_level: 2
# expect: accept
*(u64 *)(r10 - 8) = r1
r1 = 0
r1 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r1 + 12)
exit
