# bpf_loop calls its callback; the verifier explores it until the states converge.
# log_level: 2
# expect: accept
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
r0 = 0
exit
