# Sum of the first r2 words of the input: a counted loop with a forward exit.
r0 = 0
r3 = r1
loop:
if r2 == 0 goto done
r4 = *(u64 *)(r3 + 0)
r0 += r4
r3 += 8
r2 -= 1
goto loop
done:
exit
