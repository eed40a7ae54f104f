# `lddw rX, map[id][0]+off` is a pointer into the single value of an array.
# map: 1 array key=4 value=16 entries=1
# log_level: 2
# expect: accept
ld_pseudo r1, 2, 1, 8
r0 = *(u64 *)(r1 + 0)
exit
