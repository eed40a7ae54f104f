# if/else with a merge, an early exit, and a signed 32-bit compare.
r0 = 1
if w1 s> 10 goto big
r0 = 2
goto join
big:
if r1 == 99 goto out
r0 = 3
join:
r0 += 1
exit
out:
r0 = 0
exit
