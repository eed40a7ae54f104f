# Bitwise operations on pointers are refused.
# expect: reject EACCES R1 bitwise operator &= on pointer prohibited
r1 &= 7
r0 = 0
exit
