# One iteration too many: without CAP_PERFMON the pointer may not even point past the value (Spectre v1).
# privileges: CAP_BPF CAP_NET_ADMIN
# map: 1 array key=4 value=64 entries=1
# expect: reject EACCES invalid access to map value, value_size=64 off=64 size=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = 0
loop:
r3 = r0
r3 += r1
r4 = *(u64 *)(r3 + 0)
r1 += 8
if r1 <= 64 goto loop
out:
r0 = 0
exit
