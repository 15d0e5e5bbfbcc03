/* input_file.h — opening and mapping a submitted file safely: a regular file
 * only (no link followed, no FIFO or device waited on), the file that was
 * walked and not another put in its place, and a file that shrinks or
 * changes while it is read is an error, never a crash (SIGBUS). */
#ifndef INPUT_FILE_H
#define INPUT_FILE_H

#include <stddef.h>
#include <sys/stat.h>

/* Why a file could not be opened, for the message. */
enum input_refusal {
	INPUT_OK,
	INPUT_ERRNO,        /* open or fstat failed: errno says why */
	INPUT_NOT_REGULAR,  /* a FIFO, device, socket, folder or link */
	INPUT_REPLACED      /* not the file that was walked (another inode, or it changed) */
};

/* Opens PATH read-only with O_NOFOLLOW | O_NONBLOCK (a symbolic link is
 * refused, a FIFO does not block) and checks with fstat that it is a regular
 * file, and, when EXPECT is not NULL, the same file (device, inode, size,
 * modification time) as EXPECT.  Fills *GOT.  Returns the descriptor, or -1
 * with the reason in *WHY (errno set for INPUT_ERRNO). */
int input_open(const char *path, const struct stat *expect, struct stat *got,
    enum input_refusal *why);

/* A file mapped for reading. */
struct input_map {
	const char *data;   /* the bytes (never NULL; "" for an empty file) */
	size_t len;
	int fd;
	struct stat st;     /* as opened */
	int slot;           /* in the SIGBUS guard; -1 when not mapped */
};

/* Opens (as input_open) and maps PATH.  Reading the mapping never kills the
 * process: pages the file no longer has read as zeros, and input_unmap then
 * says so.  Returns 0, or -1 with *WHY set. */
int input_map(struct input_map *m, const char *path, const struct stat *expect,
    enum input_refusal *why);

/* 1 when the file of M shrank or changed since it was mapped: what was read
 * from it is then not the file (reject it), else 0. */
int input_changed(const struct input_map *m);

/* Unmaps M.  Returns 0, or -1 when the file shrank or changed while it was
 * mapped (as input_changed). */
int input_unmap(struct input_map *m);

/* 1 when NAME (the last part of a path) is office or system litter, not a
 * submission: Office's and WPS's lock files, LibreOffice's, Thumbs.db,
 * desktop.ini, .DS_Store, hidden files, *.tmp, *.bak and the like (a table
 * in input_file.c).  Such files are skipped without a word (a note with
 * --verbose): never rejected, never in a report. */
int input_is_litter(const char *name);

/* Says through the diagnostics catalogue why the file SHOWN was refused
 * (errno for INPUT_ERRNO): one entry per reason, so that each is translated. */
void input_refusal_diag(const char *shown, enum input_refusal why);

#endif
