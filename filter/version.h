/*
 * The release, in this one place: the start log line shows it, and
 * "make dist" names the tarball after it.  filter-helo.8 (.Os),
 * debian/changelog and the OpenBSD port repeat it; regress/t_dist.sh
 * checks that they agree.
 */
#ifndef VERSION_H
#define VERSION_H

#define FILTER_HELO_VERSION	"0.1.0"

#endif
