# The loop counter decides the branch, so it stays precise and every iteration is checked.
# privileges: CAP_BPF CAP_NET_ADMIN
# map: 1 array key=4 value=40 entries=1
# expect: reject EACCES invalid access to map value, value_size=40 off=40 size=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = 0
loop:
r2 = r0
r2 += r1
*(u8 *)(r2 + 0) = 0
r1 += 1
if r1 <= 40 goto loop
out:
r0 = 0
exit
