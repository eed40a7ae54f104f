# Key 4 is beyond max_entries 4: the lookup may fail.
# map: 1 array key=4 value=8 entries=4
# expect: reject EACCES R0 invalid mem access 'map_value_or_null'
*(u32 *)(r10 - 8) = 4
r2 = r10
r2 += -8
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
exit
