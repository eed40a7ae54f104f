# A variable offset creates a new packet pointer that needs its own check.
# expect: accept
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 1
if r4 > r3 goto drop
r5 = *(u8 *)(r2 + 0)
r5 &= 0x3c
r2 += r5
r4 = r2
r4 += 4
if r4 > r3 goto drop
r0 = *(u32 *)(r2 + 0)
exit
drop:
r0 = 1
exit
