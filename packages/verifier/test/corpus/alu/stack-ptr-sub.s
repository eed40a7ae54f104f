# Stack pointers move by adding negative offsets, never by subtraction.
# expect: reject EACCES R2 subtraction from stack pointer prohibited
r2 = r10
r2 -= 8
r0 = 0
exit
