# Half of a spilled pointer is not a number.
# expect: reject EACCES invalid size of register fill
*(u64 *)(r10 - 8) = r1
r0 = *(u32 *)(r10 - 8)
exit
