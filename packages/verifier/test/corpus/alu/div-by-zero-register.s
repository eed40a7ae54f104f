# Division by a register that may be zero is fine: the result is 0.
# expect: accept
r0 = 10
r1 = 0
r0 /= r1
exit
