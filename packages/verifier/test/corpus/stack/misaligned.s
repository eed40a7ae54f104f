# Stack accesses are always aligned to their size.
# expect: reject EACCES misaligned stack access off (0x0; 0x0)+0+-4 size 8
r0 = 0
*(u64 *)(r10 - 4) = r0
exit
