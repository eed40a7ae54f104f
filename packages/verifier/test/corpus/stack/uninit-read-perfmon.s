# With CAP_PERFMON an uninitialized stack read gives an unknown value.
# privileges: CAP_BPF CAP_NET_ADMIN CAP_PERFMON
# expect: accept
r0 = *(u64 *)(r10 - 8)
exit
