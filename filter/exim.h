/*
 * The one-shot front end for Exim (-E): judge one client from name=value
 * operands, print one line for the ACL and exit with a code that
 * exim.conf.snippet turns into accept, deny, defer or warn.
 */
#ifndef EXIM_H
#define EXIM_H

#include <sysexits.h>

struct policy;

/* What the ACL does with the exit code; anything else makes it defer. */
#define EXIM_ACCEPT	0
#define EXIM_REJECT	1
#define EXIM_TEMPFAIL	2
#define EXIM_JUNK	3

/* Errors, kept clear of the four above (sysexits(3)). */
#define EXIM_EX_USAGE	EX_USAGE	/* 64 */
#define EXIM_EX_CONFIG	EX_CONFIG	/* 78 */
#define EXIM_EX_SOFTWARE EX_SOFTWARE	/* 70 */

int	exim_main(int, char *[], const struct policy *);

#endif
