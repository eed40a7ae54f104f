# privileges: CAP_BPF CAP_NET_ADMIN
# expect: reject EACCES invalid read from stack R1 off=-8 size=8
r1 = r10
r1 += -8
call f
exit
f:
r0 = *(u64 *)(r1 + 0)
exit
