# Pointers are spilled whole.
# expect: reject EACCES invalid size of register spill
*(u32 *)(r10 - 8) = r1
r0 = 0
exit
