# The frames of a call chain share 512 bytes.
# expect: reject EACCES combined stack size of 2 calls is 528. Too large
*(u64 *)(r10 - 512) = r1
call f
exit
f:
*(u64 *)(r10 - 8) = r1
r0 = 0
exit
