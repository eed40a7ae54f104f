# With CAP_PERFMON the difference of two pointers is an unknown number.
# expect: accept
r2 = r10
r2 -= r1
r0 = r2
exit
