# With CAP_PERFMON a pointer may be returned as a number.
# expect: accept
r0 = r1
exit
