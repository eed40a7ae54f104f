# Egress programs may also return 2 and 3 (congestion notification).
# prog_type: cgroup_skb
# attach: cgroup_inet_egress
# expect: accept
r0 = 3
exit
