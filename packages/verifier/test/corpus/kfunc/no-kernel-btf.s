# Without kernel BTF there are no kfuncs.
# prog_type: sched_cls
# kernel_btf: none
# expect: reject EINVAL calling kernel function is not supported without CONFIG_DEBUG_INFO_BTF
call kfunc#1003
r0 = 0
exit
