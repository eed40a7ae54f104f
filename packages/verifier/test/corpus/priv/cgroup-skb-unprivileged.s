# prog_type: cgroup_skb
# privileges: none
# expect: accept
r0 = 1
exit
