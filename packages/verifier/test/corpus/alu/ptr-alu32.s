# Pointers are 64-bit: 32-bit arithmetic on them is refused.
# expect: reject EACCES R1 32-bit pointer arithmetic prohibited
w1 += 1
r0 = 0
exit
