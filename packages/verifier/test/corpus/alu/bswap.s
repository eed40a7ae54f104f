# Byte swaps fold constants; unknown values stay within the swapped width.
# log_level: 2
# expect: accept
r0 = 0x1234
r0 = be16 r0
r1 = *(u32 *)(r1 + 12)
r1 = bswap16 r1
r0 += r1
exit
