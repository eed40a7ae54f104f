# prog_type: cgroup_skb
# expect: reject EINVAL At program exit the register R0 is not a known value (ctx)
r0 = r1
exit
