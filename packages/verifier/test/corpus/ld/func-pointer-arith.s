# expect: accept
ld_pseudo r2, 4, f
r2 += 0
r0 = 0
exit
f:
r0 = 0
exit
