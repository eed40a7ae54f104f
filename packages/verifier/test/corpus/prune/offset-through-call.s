# The offset is passed to a subprogram that uses it.
# flags: 8
# map: 1 array key=4 value=8 entries=1
# expect: reject EACCES invalid access to map value, value_size=8 off=100 size=1
r6 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r7 = 100
if r6 > 10 goto join
r7 = 0
join:
r1 = r0
r2 = r7
call get
out:
r0 = 0
exit
get:
r1 += r2
r0 = *(u8 *)(r1 + 0)
exit
