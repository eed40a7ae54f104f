# map: 1 hash key=4 value=8 entries=16
# expect: reject EACCES invalid access to map value, value_size=8 off=8 size=8
ld_pseudo r1, 1, 1
ld_pseudo r2, 4, cb
r3 = 0
r4 = 0
call bpf_for_each_map_elem
r0 = 0
exit
cb:
r0 = *(u64 *)(r3 + 8)
r0 = 0
exit
