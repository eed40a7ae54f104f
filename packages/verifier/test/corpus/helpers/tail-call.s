# map: 1 prog_array key=4 value=4 entries=4
# expect: accept
ld_pseudo r2, 1, 1
r3 = 0
call bpf_tail_call
r0 = 2
exit
