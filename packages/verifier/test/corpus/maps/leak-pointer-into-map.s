# prog_type: socket_filter
# privileges: none
# map: 1 array key=4 value=8 entries=4
# expect: reject EACCES R10 leaks addr into map
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
*(u64 *)(r0 + 0) = r10
out:
r0 = 0
exit
