# A cgroup program's return value is checked at exit, so it is precise at the join.
# prog_type: cgroup_skb
# flags: 8
# expect: reject EINVAL At program exit the register R0 has smin=5 smax=5 should have been in [0, 1]
r6 = *(u32 *)(r1 + 0)
r0 = 5
if r6 > 10 goto join
r0 = 1
join:
exit
