# map: 1 array key=4 value=4 entries=4
# expect: reject EINVAL cannot pass map_type 2 into func bpf_tail_call#12
ld_pseudo r2, 1, 1
r3 = 0
call bpf_tail_call
r0 = 0
exit
