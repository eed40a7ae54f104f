# A sum of u64 words as clang emits it (bench/programs/memsum.c): the loop is vectorized, a
# block in front of it runs the trips it can as i64x2 additions, the loop itself the rest.
r0 = 0
if r2 < 8 goto out
r2 >>= 3
r3 = 0
r4 = 0
loop:
r0 = *(u64 *)(r1 + 0)
r0 += r4
r1 += 8
r3 += 1
r4 = r0
if r3 < r2 goto loop
out:
exit
