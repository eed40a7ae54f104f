# Packet pointer fields are read whole.
# expect: reject EACCES invalid bpf_context access off=0 size=2
r0 = *(u16 *)(r1 + 0)
exit
