# Without kernel BTF there are no typed ksyms.
# prog_type: sched_cls
# kernel_btf: none
# expect: reject EINVAL kernel is missing BTF, make sure CONFIG_DEBUG_INFO_BTF=y is specified in Kconfig.
ld_pseudo r1, 3, 200
r0 = 0
exit
