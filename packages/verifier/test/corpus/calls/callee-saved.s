# r6-r9 survive a call.
# expect: accept
r6 = r1
r1 = 1
call f
r0 = *(u32 *)(r6 + 12)
exit
f:
r0 = 0
exit
