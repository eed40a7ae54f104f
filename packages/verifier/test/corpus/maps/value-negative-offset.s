# map: 1 hash key=4 value=8 entries=16
# expect: reject EACCES invalid access to map value, value_size=8 off=-4 size=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u32 *)(r0 - 4)
out:
r0 = 0
exit
