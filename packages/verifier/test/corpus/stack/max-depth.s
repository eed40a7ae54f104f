# The deepest slot.
# expect: accept
*(u64 *)(r10 - 512) = r1
r0 = 0
exit
