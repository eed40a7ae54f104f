# may_goto bounds a loop the verifier could not otherwise prove finite.
# expect: accept
r0 = 0
loop:
may_goto +2
r1 = 1
goto loop
exit
