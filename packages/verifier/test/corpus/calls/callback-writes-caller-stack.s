# A bpf_loop callback writes through its context into the caller's stack; the caller reads it after.
# expect: accept
r1 = 3
ld_pseudo r2, 4, cb
r3 = r10
r3 += -8
*(u64 *)(r10 - 8) = 0
r4 = 0
call bpf_loop
r0 = *(u64 *)(r10 - 8)
exit
cb:
*(u64 *)(r2 + 0) = r1
r0 = 0
exit
