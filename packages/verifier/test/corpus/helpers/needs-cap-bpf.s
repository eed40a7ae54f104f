# bpf_loop is for loaders with CAP_BPF.
# prog_type: socket_filter
# privileges: none
# expect: reject EINVAL program of this type cannot use helper bpf_loop#181
r1 = 1
r2 = 0
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
