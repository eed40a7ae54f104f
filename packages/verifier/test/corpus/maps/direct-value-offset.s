# map: 1 array key=4 value=16 entries=1
# expect: reject EINVAL invalid access to map value pointer, value_size=16 off=16
ld_pseudo r1, 2, 1, 16
r0 = 0
exit
