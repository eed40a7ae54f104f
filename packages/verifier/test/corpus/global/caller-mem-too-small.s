# The caller must pass memory of the pointed-to type's size, initialized: 2 bytes are not an int.
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 6 read_int global int ptr:INT:int:4
# expect: reject EINVAL Caller passes invalid args into func#1 ('read_int')
*(u16 *)(r10 - 2) = 5
r1 = r10
r1 += -2
call read_int
r0 = 2
exit
read_int:
r0 = 0
exit
