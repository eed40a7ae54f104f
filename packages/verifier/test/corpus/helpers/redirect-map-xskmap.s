# map: 1 xskmap key=4 value=4 entries=4
# expect: accept
ld_pseudo r1, 1, 1
r2 = 0
r3 = 2
call bpf_redirect_map
exit
