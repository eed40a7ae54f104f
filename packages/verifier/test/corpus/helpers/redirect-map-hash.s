# map: 1 hash key=4 value=4 entries=4
# expect: reject EINVAL cannot pass map_type 1 into func bpf_redirect_map#51
ld_pseudo r1, 1, 1
r2 = 0
r3 = 0
call bpf_redirect_map
exit
