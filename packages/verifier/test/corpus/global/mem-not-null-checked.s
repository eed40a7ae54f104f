# The body of a global function must not dereference a pointer argument before a NULL check.
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 6 read_int global int ptr:INT:int:4
# expect: reject EACCES R1 invalid mem access 'mem_or_null'
*(u32 *)(r10 - 4) = 5
r1 = r10
r1 += -4
call read_int
r0 = 2
exit
read_int:
r0 = *(u32 *)(r1 + 0)
exit
