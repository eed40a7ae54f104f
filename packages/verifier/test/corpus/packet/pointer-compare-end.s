# Comparing a packet pointer with data_end is fine for unprivileged cgroup skb programs.
# prog_type: cgroup_skb
# privileges: none
# expect: accept
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 2
if r4 > r3 goto out
r0 = *(u16 *)(r2 + 0)
out:
r0 = 1
exit
