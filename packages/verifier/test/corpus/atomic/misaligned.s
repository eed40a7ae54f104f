# Atomics are always aligned.
# map: 1 array key=4 value=16 entries=1
# expect: reject EACCES misaligned value access off (0x0; 0x0)+0+4 size 8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = 1
lock *(u64 *)(r0 + 4) += r1
out:
r0 = 0
exit
