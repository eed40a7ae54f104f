# Only addition and subtraction apply to pointers.
# expect: reject EACCES R1 pointer arithmetic with *= operator prohibited
r1 *= 2
r0 = 0
exit
