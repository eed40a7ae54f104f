# An open loop bounded by may_goto, as clang emits for can_loop.
r0 = 0
again:
may_goto out
r0 += 1
goto again
out:
exit
