#!/bin/sh
# Copyright (c) 2026 the filter-helo authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

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
