# Socket filters have no direct packet access: data is not there.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES invalid bpf_context access off=76 size=4
r0 = *(u32 *)(r1 + 76)
exit
