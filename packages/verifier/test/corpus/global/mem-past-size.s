# The memory argument is as large as the pointed-to type: reading past it is out of bounds.
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 6 read_int global int ptr:INT:int:4
# expect: reject EACCES invalid access to memory, mem_size=4 off=4 size=4
*(u64 *)(r10 - 8) = 5
r1 = r10
r1 += -8
call read_int
r0 = 2
exit
read_int:
r0 = 0
if r1 == 0 goto out
r0 = *(u32 *)(r1 + 4)
out:
exit
