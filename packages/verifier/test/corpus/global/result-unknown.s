# The caller knows nothing of a global function's result, even when its body returns a constant.
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 12 zero global int int
# map: 1 array key=4 value=8 entries=4
# expect: reject EACCES math between map_value pointer and register with unbounded min value is not allowed
r1 = 1
call zero
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
out:
exit
zero:
r0 = 0
exit
