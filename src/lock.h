/* lock.h — the run lock: one exclusive flock() on a file next to the store. */
#ifndef LOCK_H
#define LOCK_H

/* Takes the lock at PATH without waiting (creating the file and its folder
 * when missing) and writes our pid into it.  Returns the open descriptor
 * (>= 0, kept open for as long as the lock is held); -2 when another process
 * holds it (its pid, when known, in *HOLDER, else 0); -1 on any other error
 * (errno set).  The kernel releases the lock when the process ends, however
 * it ends, so a killed run never leaves a stale lock behind. */
int lock_acquire(const char *path, long *holder);

/* Releases the lock taken by lock_acquire (FD < 0 is ignored). */
void lock_release(int fd);

/* The lock file that goes with the store at DB_PATH: same folder,
 * "jingsai.lock".  The caller frees the result. */
char *lock_path_for(const char *db_path);

/* Takes the lock of the store at DB_PATH for a command that must have it
 * alone (run, restore).  Returns the descriptor (release it with
 * lock_release), or -1 after the diagnostic, with the command's exit
 * status in *STATUS: JZ_EXIT_LOCKED when another process holds the lock,
 * JZ_EXIT_FAILURE when it cannot be taken. */
int lock_store(const char *db_path, int *status);

#endif
