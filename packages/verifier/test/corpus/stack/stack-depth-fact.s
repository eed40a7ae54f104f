# The facts report each subprogram's stack use.
# expect: accept
*(u64 *)(r10 - 24) = r1
call f
exit
f:
*(u64 *)(r10 - 8) = r1
r0 = 0
exit
