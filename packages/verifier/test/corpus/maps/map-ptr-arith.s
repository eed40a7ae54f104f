# A map pointer is not memory.
# map: 1 hash key=4 value=8 entries=4
# expect: reject EACCES R1 pointer arithmetic on map_ptr prohibited
ld_pseudo r1, 1, 1
r1 += 8
r0 = 0
exit
