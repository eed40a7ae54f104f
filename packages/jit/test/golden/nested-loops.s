# Two nested counted loops.
r0 = 0
r6 = 4
outer:
r7 = 3
inner:
r0 += r7
r7 -= 1
if r7 != 0 goto inner
r6 -= 1
if r6 s> 0 goto outer
exit
