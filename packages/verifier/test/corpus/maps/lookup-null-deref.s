# map_lookup_elem may return NULL.
# map: 1 hash key=4 value=8 entries=16
# expect: reject EACCES R0 invalid mem access 'map_value_or_null'
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
exit
