# Programs without CAP_BPF are at most 4096 instructions (checked in a unit test); this one fits.
# prog_type: socket_filter
# privileges: none
# expect: accept
r0 = 0
exit
