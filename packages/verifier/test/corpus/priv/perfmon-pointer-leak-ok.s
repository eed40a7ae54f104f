# With CAP_PERFMON pointers may be stored into maps.
# privileges: CAP_BPF CAP_NET_ADMIN CAP_PERFMON
# map: 1 array key=4 value=8 entries=1
# expect: accept
ld_pseudo r1, 2, 1, 0
*(u64 *)(r1 + 0) = r10
r0 = 0
exit
