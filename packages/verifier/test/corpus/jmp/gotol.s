# cpu v4 long jumps.
# expect: accept
r0 = 0
gotol done
done:
exit
