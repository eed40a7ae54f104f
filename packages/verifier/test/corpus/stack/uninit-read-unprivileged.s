# Nothing was written to the stack: reading it is refused without CAP_PERFMON.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES invalid read from stack R10 off=-8 size=8
r0 = *(u64 *)(r10 - 8)
exit
