# A packet pointer is usable only after a check against data_end.
# expect: reject EACCES invalid access to packet, off=12 size=2, R2(id=0,off=12,r=0)
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r0 = *(u16 *)(r2 + 12)
exit
