# XDP's return value is not range-checked by the verifier.
# expect: accept
r0 = 77
exit
