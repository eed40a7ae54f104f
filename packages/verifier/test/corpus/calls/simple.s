# A bpf-to-bpf call: arguments in r1-r5, result in r0.
# log_level: 2
# expect: accept
r1 = 1
call f
exit
f:
r0 = r1
r0 += 1
exit
