# map: 1 hash key=4 value=16 entries=4
# expect: reject EINVAL no direct value access support for this map type
ld_pseudo r1, 2, 1, 0
r0 = 0
exit
