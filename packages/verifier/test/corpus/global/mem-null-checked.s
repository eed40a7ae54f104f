# A pointer to a sized type arrives as mem_or_null of that size: the body checks it for NULL.
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 6 read_int global int ptr:INT:int:4
# log_level: 2
# expect: accept
*(u32 *)(r10 - 4) = 5
r1 = r10
r1 += -4
call read_int
r0 = 2
exit
read_int:
r0 = 0
if r1 == 0 goto out
r0 = *(u32 *)(r1 + 0)
out:
exit
