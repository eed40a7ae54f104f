# BPF_F_WRONLY_PROG maps are write-only to programs.
# map: 1 array key=4 value=8 entries=4 flags=256
# expect: reject EACCES read from map forbidden, value_size=8 off=0 size=8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
