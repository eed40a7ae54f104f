# After adding a variable offset the old range no longer applies.
# expect: reject EACCES invalid access to packet, off=0 size=4, R2(id=1,off=0,r=0)
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 64
if r4 > r3 goto drop
r5 = *(u8 *)(r2 + 0)
r5 &= 0x3c
r2 += r5
r0 = *(u32 *)(r2 + 0)
exit
drop:
r0 = 1
exit
