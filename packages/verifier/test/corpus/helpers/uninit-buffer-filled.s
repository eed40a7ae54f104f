# A constant-sized output buffer need not be initialized: the helper writes it.
# prog_type: cgroup_sock_addr
# privileges: CAP_BPF CAP_NET_ADMIN
# log_level: 2
# expect: accept
r1 = r10
r1 += -16
r2 = 16
call bpf_get_current_comm
r0 = *(u64 *)(r10 - 8)
r0 = 1
exit
