# Pointers pass through r1-r5: a subprogram reads a map value it is given.
# map: 1 array key=4 value=8 entries=1
# expect: accept
ld_pseudo r1, 2, 1, 0
call get
exit
get:
r0 = *(u64 *)(r1 + 0)
exit
