# A map value pointer is never NULL: compared with 0, only one edge is explored.
# map: 1 array key=4 value=8 entries=1
# log_level: 2
# expect: accept
ld_pseudo r1, 2, 1, 0
if r1 == 0 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
