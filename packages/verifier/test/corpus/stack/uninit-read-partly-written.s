# fp-16 was written, fp-8 not.
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: reject EACCES invalid read from stack off -8+0 size 8
r1 = 1
*(u64 *)(r10 - 16) = r1
r0 = *(u64 *)(r10 - 8)
exit
