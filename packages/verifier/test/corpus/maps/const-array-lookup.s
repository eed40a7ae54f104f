# An array lookup with a constant in-range key cannot fail (Linux 6.13): no NULL check needed.
# map: 1 array key=4 value=8 entries=4
# log_level: 2
# expect: accept
*(u32 *)(r10 - 8) = 3
r2 = r10
r2 += -8
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
exit
