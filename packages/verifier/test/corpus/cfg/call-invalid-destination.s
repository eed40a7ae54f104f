# A bpf-to-bpf call outside the program.
# expect: reject EINVAL call to invalid destination
call pc+100
r0 = 0
exit
