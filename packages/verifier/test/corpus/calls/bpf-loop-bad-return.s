# A bpf_loop callback returns 0 (continue) or 1 (stop).
# expect: reject EINVAL At callback return the register R0 has smin=5 smax=5 should have been in [0, 1]
r1 = 4
ld_pseudo r2, 4, cb
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
r0 = 5
exit
