# fp itself is one past the stack.
# expect: reject EACCES invalid write to stack R10 off=0 size=8
r0 = 0
*(u64 *)(r10 + 0) = r0
exit
