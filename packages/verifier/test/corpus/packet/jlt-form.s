# `if data + N < data_end goto ok` proves one byte more (range right open).
# expect: accept
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 < r3 goto ok
r0 = 1
exit
ok:
r0 = *(u8 *)(r2 + 14)
exit
