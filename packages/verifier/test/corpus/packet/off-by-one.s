# The check proves 14 bytes; reading bytes 13 and 14 needs 15.
# expect: reject EACCES invalid access to packet, off=13 size=2, R2(id=0,off=13,r=14)
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto drop
r0 = *(u16 *)(r2 + 13)
exit
drop:
r0 = 1
exit
