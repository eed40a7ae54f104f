# map: 1 hash key=4 value=8 entries=4
# expect: reject EACCES R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
r2 = 0
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
r0 = 0
exit
