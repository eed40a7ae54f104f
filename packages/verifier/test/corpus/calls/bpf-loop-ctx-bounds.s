# The callback's context pointer is the caller's stack: its bounds are checked.
# expect: reject EACCES invalid read from stack R2 off=0 size=8
*(u64 *)(r10 - 8) = 0
r1 = 4
ld_pseudo r2, 4, cb
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
r0 = *(u64 *)(r2 + 8)
r0 = 0
exit
