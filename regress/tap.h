/*
 * A small TAP producer for the unit tests, in the manner of
 * c-tap-harness: plan, ok, is_int, is_str, diag, done.
 */
#ifndef TAP_H
#define TAP_H

void	plan(int);
void	plan_lazy(void);
int	ok(int, const char *, ...) __attribute__((format(printf, 2, 3)));
int	is_int(long, long, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	is_str(const char *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	diag(const char *, ...) __attribute__((format(printf, 1, 2)));
int	done_testing(void);

#endif
