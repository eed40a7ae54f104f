# A bpf_loop callback that counts in its context on the caller's stack converges.
# expect: accept
*(u64 *)(r10 - 8) = 0
r1 = 100
ld_pseudo r2, 4, cb
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = *(u64 *)(r10 - 8)
r0 = 0
exit
cb:
r3 = *(u64 *)(r2 + 0)
r3 += 1
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
