#!/bin/sh
#
# The "tap" filter of the end-to-end tests: runs a filter and records
# both directions of its protocol with smtpd, unchanged.
#	tap.sh DIR CMD [ARG ...]
# appends what smtpd sends to DIR/in and what CMD answers to DIR/out.
# CMD replaces this shell, so that smtpd's filter process is the filter
# itself, as in real use; two tee(1) children copy between smtpd's
# socket and CMD through FIFOs in DIR (CMD reads and writes pipes, not
# the socket).  They end when smtpd closes the socket and CMD exits.
set -e
d=$1
shift
fin=$d/fifo-in.$$
fout=$d/fifo-out.$$
mkfifo "$fin" "$fout"
# An asynchronous command's stdin is /dev/null: hand it the socket as 3.
exec 3<&0
tee -a "$d/in" <&3 >"$fin" 3<&- &
tee -a "$d/out" <"$fout" 3<&- &
exec 3<&-
exec "$@" <"$fin" >"$fout"
