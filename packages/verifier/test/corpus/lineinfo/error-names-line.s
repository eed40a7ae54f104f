# Line info names the source line of the failing instruction.
# map: 1 hash key=4 value=8 entries=16
# line: 0 prog.c:10 __u32 key = 0;
# line: 4 prog.c:11 __u64 *v = bpf_map_lookup_elem(&m, &key);
# line: 6 prog.c:12 return *v;
# expect: reject EACCES R0 invalid mem access 'map_value_or_null'
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
exit
