/*
 * Copyright (c) 2026 the filter-helo authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * Line I/O for the protocol descriptors, on the caller's event base.
 * Input is read into one fixed buffer: a line that does not fit is
 * counted and skipped up to its newline, so memory never grows with it.
 * Output is one buffer of whole lines, written as the socket accepts.
 * Nothing here logs; failures are returned to the caller.
 *
 * Input is handed out at most IO_IN_BURST lines a turn of the event
 * loop: a flood of requests must not hold up the resolver's answers and
 * our writes.  Lines left over are handed out in later turns, before
 * anything more is read.
 *
 * An input may be throttled by an output: while the output holds more
 * than a high-water mark, the input is neither read nor handed out, so
 * a peer that does not read our answers stops getting its requests
 * read, instead of making the output buffer grow without end.
 *
 * Only the libevent 1.4 subset (event_set, event_base_set) is used, so
 * the same code builds against OpenBSD's libevent and libevent 2.
 *
 * An input may also be held by its owner, who then gets no line until
 * it lets go; meanwhile it reads no more than its buffer holds, and
 * notices the end of input: a policy server holds a connection's next
 * request while it judges one.
 *
 * A line callback must not free its io_in.  The end-of-input callback
 * is the last thing io_in does, so it may; so is the drain callback of
 * an output.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/time.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "proto.h"

/*
 * Lines handed out per turn of the loop: some milliseconds of work at
 * most, so that answers from the resolver are taken between bursts.
 */
#define IO_IN_BURST		64
#define IO_OUT_MIN		4096	/* first output buffer size */
#define IO_FLUSH_TIMEOUT_MS	5000	/* io_out_flush_blocking at exit */

struct io_in {
	struct event	 ev;
	struct event	 more;		/* next turn: lines left over */
	int		 watching;	/* ev is added */
	int		 fd;
	io_line_cb	 line_cb;
	io_eof_cb	 eof_cb;
	io_toolong_cb	 toolong_cb;
	void		*arg;
	char		*buf;
	size_t		 size;		/* the longest line, "\r\n" */
	size_t		 linemax;
	size_t		 off;		/* first byte not handed out */
	size_t		 len;		/* bytes held in buf */
	int		 skipping;	/* inside an over-long line */
	size_t		 skipped;	/* its bytes dropped so far */
	int		 eof;		/* input ended: never read again */
	int		 paused;	/* ev deleted until out drains */
	int		 held;		/* by the owner: io_in_hold() */
	struct io_out	*out;		/* the output that throttles us */
	size_t		 high;		/* pause above this much pending */
	size_t		 low;		/* resume at or below this much */
	void		(*read_cb)(void *);	/* bytes came in */
	void		*read_arg;
};

struct io_out {
	struct event	 ev;
	int		 fd;
	char		*buf;
	size_t		 size;
	size_t		 off;		/* first byte not yet written */
	size_t		 len;		/* end of the pending bytes */
	int		 waiting;	/* ev is added */
	int		 dead;		/* a write failed: drop everything */
	struct io_in	*reader;	/* the input it throttles */
	void		(*drained)(void *);
	void		*drained_arg;
};

static int	set_nonblock(int);
static void	io_in_read(int, short, void *);
static void	io_in_read_held(struct io_in *);
static int	io_in_fill(struct io_in *);
static int	io_in_lines(struct io_in *, int *);
static void	io_in_line(struct io_in *, char *, size_t);
static int	io_in_backlog(const struct io_in *);
static void	io_in_schedule(struct io_in *);
static void	io_out_ready(int, short, void *);
static int	io_out_write(struct io_out *);
static int	io_out_reserve(struct io_out *, size_t);
static void	io_out_schedule(struct io_out *);
static void	io_out_kill(struct io_out *);
static void	io_in_pause(struct io_in *);
static void	io_in_resume(struct io_in *);
static int	elapsed_ms(const struct timespec *);

/* Lines of up to linemax bytes, newline excluded, are handed out. */
struct io_in *
io_in_new(struct event_base *base, int fd, size_t linemax,
    io_line_cb line_cb, io_eof_cb eof_cb, io_toolong_cb toolong_cb,
    void *arg)
{
	struct io_in	*in;

	if (set_nonblock(fd) == -1)
		return NULL;
	if ((in = calloc(1, sizeof(*in))) == NULL)
		return NULL;
	in->linemax = linemax;
	in->size = linemax + 2;
	if ((in->buf = malloc(in->size)) == NULL) {
		free(in);
		return NULL;
	}
	in->fd = fd;
	in->line_cb = line_cb;
	in->eof_cb = eof_cb;
	in->toolong_cb = toolong_cb;
	in->arg = arg;
	event_set(&in->ev, fd, EV_READ | EV_PERSIST, io_in_read, in);
	evtimer_set(&in->more, io_in_read, in);
	if (event_base_set(base, &in->ev) == -1 ||
	    event_base_set(base, &in->more) == -1 ||
	    event_add(&in->ev, NULL) == -1) {
		free(in->buf);
		free(in);
		return NULL;
	}
	in->watching = 1;
	return in;
}

void
io_in_free(struct io_in *in)
{
	if (in == NULL)
		return;
	if (in->out != NULL)
		in->out->reader = NULL;
	event_del(&in->ev);
	evtimer_del(&in->more);
	free(in->buf);
	free(in);
}

struct io_out *
io_out_new(struct event_base *base, int fd)
{
	struct io_out	*out;

	if (set_nonblock(fd) == -1)
		return NULL;
	if ((out = calloc(1, sizeof(*out))) == NULL)
		return NULL;
	out->fd = fd;
	event_set(&out->ev, fd, EV_WRITE | EV_PERSIST, io_out_ready, out);
	if (event_base_set(base, &out->ev) == -1) {
		free(out);
		return NULL;
	}
	return out;
}

void
io_out_free(struct io_out *out)
{
	if (out == NULL)
		return;
	if (out->reader != NULL) {
		io_in_resume(out->reader);
		out->reader->out = NULL;
	}
	if (out->waiting)
		event_del(&out->ev);
	free(out->buf);
	free(out);
}

/*
 * Read in only while out holds at most high bytes; once paused, read
 * again when it holds low bytes or fewer (or died: then nothing waits).
 */
void
io_in_throttle(struct io_in *in, struct io_out *out, size_t high,
    size_t low)
{
	if (in->out != NULL)
		in->out->reader = NULL;
	in->out = out;
	in->high = high;
	in->low = low;
	out->reader = in;
	if (io_out_pending(out) > high)
		io_in_pause(in);
}

/*
 * Queue one or more whole lines.  Text without a final newline would
 * run into the next line and make smtpd fail, so it is refused.  -1
 * with errno: EINVAL for such text, ENOMEM, or EPIPE (or the error of
 * the write) once the output is dead.
 */
int
io_out_line(struct io_out *out, const char *line)
{
	size_t	n = strlen(line);
	int	was_idle;

	if (out->dead) {
		errno = EPIPE;
		return -1;
	}
	if (n == 0 || line[n - 1] != '\n') {
		errno = EINVAL;
		return -1;
	}
	if (io_out_reserve(out, n) == -1)
		return -1;
	was_idle = out->off == out->len;
	memcpy(out->buf + out->len, line, n);
	out->len += n;
	if (was_idle && io_out_write(out) == -1)
		return -1;
	io_out_schedule(out);
	return 0;
}

/*
 * cb(arg) once the output, having waited for the descriptor, is written
 * out or dead.  An output that took a line whole never waited: its owner
 * sees io_out_pending() at 0 at once.
 */
void
io_out_on_drain(struct io_out *out, void (*cb)(void *), void *arg)
{
	out->drained = cb;
	out->drained_arg = arg;
}

/*
 * cb(arg) after each read that brought bytes, before any line of them
 * is handed out: the owner learns that a line has begun, even one that
 * never ends.
 */
void
io_in_on_read(struct io_in *in, void (*cb)(void *), void *arg)
{
	in->read_cb = cb;
	in->read_arg = arg;
}

/* Hold the input (no line handed out) or let it go on. */
void
io_in_hold(struct io_in *in, int hold)
{
	in->held = hold;
	io_in_schedule(in);
}

size_t
io_out_pending(const struct io_out *out)
{
	return out->len - out->off;
}

int
io_out_flush_blocking(struct io_out *out)
{
	struct pollfd	pfd;
	struct timespec	start;
	int		left;

	if (out->dead)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	pfd.fd = out->fd;
	pfd.events = POLLOUT;
	while (io_out_pending(out) > 0) {
		if (io_out_write(out) == -1)
			return -1;
		if (io_out_pending(out) == 0)
			break;
		if ((left = IO_FLUSH_TIMEOUT_MS - elapsed_ms(&start)) <= 0)
			return -1;
		if (poll(&pfd, 1, left) == -1 && errno != EINTR)
			return -1;
	}
	io_out_schedule(out);
	return 0;
}

static int
set_nonblock(int fd)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	if (flags & O_NONBLOCK)
		return 0;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/*
 * One turn: the lines left over from the last one first; only when none
 * is left, one read.  Called for the descriptor and for the "more"
 * timer alike.
 */
static void
io_in_read(int fd, short events, void *arg)
{
	struct io_in	*in = arg;
	int		 budget = IO_IN_BURST;

	if (in->held && !in->paused && !in->eof && (events & EV_READ)) {
		io_in_read_held(in);
		return;
	}
	if (in->paused || in->held || in->eof)
		return;
	if (!io_in_lines(in, &budget)) {
		if (io_in_fill(in) == -1)
			return;		/* ended: in may be gone */
		io_in_lines(in, &budget);
	}
	io_in_schedule(in);
}

/*
 * The descriptor fired while the owner holds the input: what fits is
 * read and kept, nothing is handed out.  The end of input is taken at
 * once, so that a peer that said all it had to (Exim's ${readsocket})
 * is closed as soon as it is answered; but not while whole lines wait
 * for the owner: they would be lost, and a read after the end ends
 * again once they are handed out.  Lines waiting or a full buffer stop
 * the watching until the hold is let go.
 */
static void
io_in_read_held(struct io_in *in)
{
	if (!io_in_backlog(in) && (in->off > 0 || in->len < in->size)) {
		if (io_in_fill(in) == -1)
			return;		/* ended: in may be gone */
		if (!io_in_backlog(in) && (in->off > 0 || in->len < in->size))
			return;
	}
	if (in->watching) {
		event_del(&in->ev);
		in->watching = 0;
	}
}

/* One read into the buffer; -1 once input ended (eof_cb was called). */
static int
io_in_fill(struct io_in *in)
{
	ssize_t	n;

	if (in->off > 0) {
		memmove(in->buf, in->buf + in->off, in->len - in->off);
		in->len -= in->off;
		in->off = 0;
	}
	do {
		n = read(in->fd, in->buf + in->len, in->size - in->len);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n > 0) {
		in->len += n;
		if (in->read_cb != NULL)
			in->read_cb(in->read_arg);
		return 0;
	}

	/* End of input or a read error: a last line without newline is lost. */
	event_del(&in->ev);
	evtimer_del(&in->more);
	in->watching = 0;
	in->eof = 1;
	in->off = in->len = 0;
	in->skipping = 0;
	in->eof_cb(in->arg);
	return -1;
}

/*
 * Hand out complete lines while *budget lasts and the output takes
 * them; returns 1 if a complete line is left for a later turn.  The
 * partial line is kept, or dropped and counted once too long.
 */
static int
io_in_lines(struct io_in *in, int *budget)
{
	char	*start, *nl;

	while ((nl = memchr(in->buf + in->off, '\n', in->len - in->off)) !=
	    NULL) {
		if (*budget <= 0 || in->paused || in->held)
			return 1;
		(*budget)--;
		start = in->buf + in->off;
		in->off = nl + 1 - in->buf;
		if (in->skipping) {
			in->skipping = 0;
			in->toolong_cb(in->skipped + (nl - start), in->arg);
		} else
			io_in_line(in, start, nl - start);
		if (in->out != NULL && io_out_pending(in->out) > in->high)
			io_in_pause(in);
	}
	if (in->skipping) {
		in->skipped += in->len - in->off;
		in->off = in->len = 0;
	} else if (in->off == 0 && in->len == in->size) {
		in->skipping = 1;
		in->skipped = in->len;
		in->len = 0;
	}
	return 0;
}

static void
io_in_line(struct io_in *in, char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > in->linemax) {
		in->toolong_cb(len, in->arg);
		return;
	}
	line[len] = '\0';
	in->line_cb(line, len, in->arg);
}

static void
io_out_ready(int fd, short events, void *arg)
{
	struct io_out	*out = arg;

	if (io_out_write(out) == 0)
		io_out_schedule(out);
	/* the last thing done: the callback may free out */
	if (io_out_pending(out) == 0 && out->drained != NULL)
		out->drained(out->drained_arg);
}

/* Write what the descriptor takes now; -1 once the output is dead. */
static int
io_out_write(struct io_out *out)
{
	ssize_t	n;

	while (out->off < out->len) {
		n = write(out->fd, out->buf + out->off, out->len - out->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == -1) {
			io_out_kill(out);
			return -1;
		}
		out->off += n;
	}
	if (out->off == out->len)
		out->off = out->len = 0;
	return 0;
}

/* Make room for n more bytes after the pending ones. */
static int
io_out_reserve(struct io_out *out, size_t n)
{
	size_t	 pending = out->len - out->off, size;
	char	*buf;

	if (n > SIZE_MAX / 2 - pending) {
		errno = ENOMEM;
		return -1;
	}
	if (out->off > 0 && out->len + n > out->size) {
		memmove(out->buf, out->buf + out->off, pending);
		out->off = 0;
		out->len = pending;
	}
	if (out->len + n <= out->size)
		return 0;
	for (size = out->size ? out->size : IO_OUT_MIN; size < out->len + n;)
		size *= 2;
	if ((buf = realloc(out->buf, size)) == NULL)
		return -1;
	out->buf = buf;
	out->size = size;
	return 0;
}

/*
 * Wait for EV_WRITE exactly while something is pending, and let the
 * throttled input read again once enough is gone.
 */
static void
io_out_schedule(struct io_out *out)
{
	if (out->reader != NULL && io_out_pending(out) <= out->reader->low)
		io_in_resume(out->reader);
	if (io_out_pending(out) > 0 && !out->waiting) {
		if (event_add(&out->ev, NULL) == 0)
			out->waiting = 1;
	} else if (io_out_pending(out) == 0 && out->waiting) {
		event_del(&out->ev);
		out->waiting = 0;
	}
}

/* The write's errno stays for the caller. */
static void
io_out_kill(struct io_out *out)
{
	int	saved = errno;

	out->dead = 1;
	out->off = out->len = 0;
	io_out_schedule(out);
	errno = saved;
}

static void
io_in_pause(struct io_in *in)
{
	if (in->paused || in->eof)
		return;
	in->paused = 1;
	io_in_schedule(in);
}

static void
io_in_resume(struct io_in *in)
{
	if (!in->paused)
		return;
	in->paused = 0;
	io_in_schedule(in);
}

/* Is a complete line waiting to be handed out? */
static int
io_in_backlog(const struct io_in *in)
{
	return memchr(in->buf + in->off, '\n', in->len - in->off) != NULL;
}

/*
 * Paused: wait for nothing.  Lines left over: hand them out next turn,
 * without reading.  Otherwise: read when there is something to read.
 * Held: the read event stays (io_in_read_held() decides when it
 * fires), so that a hold let go within the turn, as a policy server's
 * for an answer it gives at once, costs no change to the event set.
 */
static void
io_in_schedule(struct io_in *in)
{
	struct timeval	now = { 0, 0 };
	int		want_read, want_more;

	if (in->eof)
		return;
	want_more = !in->paused && !in->held && io_in_backlog(in);
	want_read = !in->paused && !in->held && !want_more;
	if (want_read && !in->watching) {
		if (event_add(&in->ev, NULL) == 0)
			in->watching = 1;
	} else if (!want_read && in->watching && (!in->held || in->paused)) {
		event_del(&in->ev);
		in->watching = 0;
	}
	if (want_more && !evtimer_pending(&in->more, NULL))
		evtimer_add(&in->more, &now);
	else if (!want_more)
		evtimer_del(&in->more);
}

static int
elapsed_ms(const struct timespec *start)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}
