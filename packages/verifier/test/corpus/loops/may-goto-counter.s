# A may_goto loop with a counter nothing checks: the imprecise counter is widened and the loop converges.
# expect: accept
r6 = 0
loop:
may_goto +2
r6 += 1
goto loop
r0 = 0
exit
