# privileges: CAP_BPF CAP_NET_ADMIN
# expect: reject EACCES invalid read from stack R10 off=-8 size=8
r1 = 1
lock *(u64 *)(r10 - 8) += r1
r0 = 0
exit
