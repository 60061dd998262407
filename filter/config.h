/*
 * The configuration file (filter-helo.conf): one directive a line.
 * Errors name the file and the line; config_print() shows the effective
 * policy for -n.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdio.h>

#include "policy.h"

int	config_load(struct policy *, const char *);
int	config_parse_line(struct policy *, char *, const char **);
int	config_finish(struct policy *, const char *);
void	config_print(const struct policy *, FILE *);
int	config_yes_no(const char *, int *);
void	config_errors_to(void (*)(const char *));

#endif
