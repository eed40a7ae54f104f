# Immediate stores into a map value.
# map: 1 array key=4 value=16 entries=1
# expect: accept
ld_pseudo r1, 2, 1, 0
*(u64 *)(r1 + 8) = 7
*(u32 *)(r1 + 0) = 1
r0 = 0
exit
