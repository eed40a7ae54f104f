# Half a pointer is a leak.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R10 partial copy of pointer
w0 = w10
exit
