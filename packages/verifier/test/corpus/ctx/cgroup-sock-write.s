# prog_type: cgroup_sock
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: accept
r2 = 3
*(u32 *)(r1 + 16) = r2
r0 = 1
exit
