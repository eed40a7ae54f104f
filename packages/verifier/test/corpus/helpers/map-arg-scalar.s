# expect: reject EACCES R1 type=scalar expected=map_ptr
r1 = 0
r2 = r10
call bpf_map_lookup_elem
r0 = 0
exit
