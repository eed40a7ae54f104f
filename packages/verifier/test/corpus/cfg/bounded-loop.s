# With CAP_BPF a loop is explored until it ends.
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: accept
r0 = 0
loop:
r0 += 1
if r0 < 10 goto loop
r0 = 0
exit
