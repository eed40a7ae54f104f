# Instructions no path reaches are rejected before exploring.
# expect: reject EINVAL unreachable insn 2
r0 = 0
exit
r0 = 1
exit
