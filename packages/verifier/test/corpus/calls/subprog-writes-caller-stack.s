# A subprogram fills its caller's buffer; the caller may read it afterwards.
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: accept
r1 = r10
r1 += -8
call fill
r0 = *(u64 *)(r10 - 8)
exit
fill:
r2 = 7
*(u64 *)(r1 + 0) = r2
r0 = 0
exit
