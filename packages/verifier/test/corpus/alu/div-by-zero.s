# Division by a zero immediate is malformed.
# expect: reject EINVAL div by zero
r0 = 1
r0 /= 0
exit
