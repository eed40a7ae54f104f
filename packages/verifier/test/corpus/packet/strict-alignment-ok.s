# flags: 1
# expect: accept
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 6
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 2)
exit
out:
r0 = 1
exit
