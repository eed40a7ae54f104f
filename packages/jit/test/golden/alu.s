# Straight-line arithmetic in both widths, division by a register, byte swaps.
r0 = r1
r0 += 7
w2 = w0
w2 *= 3
r0 ^= r2
r3 = 5
r0 /= r3
w0 s%= -3
r0 = be16 r0
r0 = bswap32 r0
r0 = (s16)r0
exit
