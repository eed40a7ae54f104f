# map: 1 array key=4 value=8 entries=1
# expect: reject EACCES invalid access to map value, value_size=8 off=8 size=8
ld_pseudo r1, 2, 1, 0
call get
exit
get:
r0 = *(u64 *)(r1 + 8)
exit
