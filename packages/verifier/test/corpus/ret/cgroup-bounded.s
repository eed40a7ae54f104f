# prog_type: cgroup_skb
# expect: accept
r0 = *(u32 *)(r1 + 0)
r0 &= 1
exit
