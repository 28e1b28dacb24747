/*
 * latchkey-relay: the process a tool (cargo, git, docker) starts for one credential request while
 * a latchkey daemon runs. Starting a JVM for every request is slow, so this small program hands
 * the whole invocation (its arguments, working directory, the variables that say where latchkey's
 * and cargo's files are, and its stdin) to the daemon over the daemon's Unix socket, writes what
 * the daemon sends to its stdout and stderr, and exits with the daemon's status. When the daemon
 * declines, is absent, or goes away before it answered, it execs the JVM program, which serves the
 * invocation itself from where the daemon left off.
 *
 * The frames, and when and how to hand back, are the contract in docs/relay-protocol.md.
 *
 *   latchkey-relay SOCKET N ARG1 .. ARGN PROG1 .. PROGM
 *
 * SOCKET is the daemon's socket (the launcher finds it), ARG1 .. ARGN the invocation's arguments,
 * PROG1 .. PROGM the command that serves it without the daemon. Serving here runs
 *   PROG1 .. PROGM [--resumed=K] --handback=WHY ARG1 .. ARGN
 * in this process (the tool waits for this pid), with stdin starting at input byte K.
 *
 * C99 and POSIX.1-2008 only, so that it builds wherever there is a C compiler.
 */
#ifdef __linux__
#define _GNU_SOURCE /* struct ucred, which SO_PEERCRED fills */
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#if defined(__GNUC__)
#define NORETURN __attribute__((noreturn))
#else
#define NORETURN
#endif

#define IN_CHUNK 65536                 /* the most stdin bytes in one `in` frame */
#define LINE_MAX_BYTES 65536           /* the longest header line sent, and hello or frame line read */
#define HEADER_MAX_BYTES (256 * 1024)  /* the daemon reads no more header than this */
#define ARGS_MAX 1024                  /* nor more `arg` lines */
#define BLOCK_MAX (1024 * 1024)        /* the largest out/err block accepted */
#define CONNECT_MS 5000
#define HELLO_MS 5000                  /* a stopped or hung daemon costs this, not ANSWER_MS */
#define ANSWER_MS 60000                /* the client library's call timeout: a keychain may ask to be unlocked */
#define STATUS_FAILURE 4               /* latchkey's exit status for a failure (docs/man/latchkey.1) */
#ifndef LATCHKEY_VERSION
#error "build with -DLATCHKEY_VERSION='\"VERSION\"' (scripts/build-relay does): a daemon of another version leaves the invocation here"
#endif
#define STATUS_USAGE 2
#define PATH_MAX_TEXT 4096             /* the longest directory name told in a message */

extern char **environ;

/* The command line, split. */
struct invocation {
    const char *socket;
    char **args;
    int nargs;
    char **prog;
    int nprog;
};

/* A growable byte buffer. It may hold stdin (a token, for a cargo login), so storage it lets go of
 * is wiped first, which realloc would not do. */
struct bytes {
    unsigned char *data;
    size_t len, cap;
};

/* Everything one relayed invocation keeps track of. */
struct relay {
    const struct invocation *inv;
    int sock;
    struct bytes to_daemon;        /* header and frames not yet written to the socket */
    size_t to_daemon_sent;
    bool daemon_stopped_reading;   /* a write failed: the frames it still sends count */
    unsigned char from_daemon[LINE_MAX_BYTES + 1];
    size_t from_len;
    bool hello_seen;
    int block_fd;                  /* inside an out/err block: where its bytes go, and how many are left */
    size_t block_left;
    bool fd_gone[3];               /* stdout or stderr whose reader went away */
    bool stdin_open, stdin_touched;
    struct bytes kept;             /* stdin bytes from input byte kept_from on: not yet answered */
    unsigned long long kept_from, read_total;
    bool done_seen;
    unsigned long long done_at;
    bool wrote_since_done;
    long long quiet_since;         /* the last exchange with the daemon, for ANSWER_MS */
};

static void wipe(void *p, size_t n)
{
    /* volatile: a memset before free or exit is a dead store the compiler may drop */
    volatile unsigned char *v = p;
    while (n-- > 0)
        *v++ = 0;
}

static NORETURN void fail(const char *what)
{
    fprintf(stderr, "latchkey: %s: %s\n", what, strerror(errno));
    exit(STATUS_FAILURE);
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void bytes_append(struct bytes *b, const void *p, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n)
            cap *= 2;
        unsigned char *grown = malloc(cap);
        if (grown == NULL)
            fail("out of memory");
        if (b->len > 0)
            memcpy(grown, b->data, b->len);
        if (b->data != NULL) {
            wipe(b->data, b->cap);
            free(b->data);
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void bytes_drop_front(struct bytes *b, size_t n)
{
    if (n == 0)
        return;
    memmove(b->data, b->data + n, b->len - n);
    wipe(b->data + b->len - n, n);
    b->len -= n;
}

static void bytes_wipe(struct bytes *b)
{
    if (b->data != NULL)
        wipe(b->data, b->cap);
    b->len = 0;
}

/* Writes all of p to fd, through EINTR, partial writes and an fd someone made non-blocking. */
static int write_all(int fd, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w > 0) {
            b += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd writable = {fd, POLLOUT, 0};
            poll(&writable, 1, -1);
        } else if (!(w < 0 && errno == EINTR)) {
            return -1;
        }
    }
    return 0;
}

static void wipe_secrets(struct relay *r)
{
    bytes_wipe(&r->kept);
    bytes_wipe(&r->to_daemon);
    wipe(r->from_daemon, sizeof r->from_daemon); /* out blocks may carry a token */
}

/* The child that feeds the program's stdin: the kept bytes, then the rest of this stdin. It stops
 * when the program closes its end, so that it never lingers reading a terminal. */
static NORETURN void run_feeder(struct relay *r, int pipe_w)
{
    /* Holding the tool's stdout or stderr open would keep a tool that reads them to EOF waiting. */
    close(STDOUT_FILENO);
    close(STDERR_FILENO);
    bool ok = write_all(pipe_w, r->kept.data, r->kept.len) == 0;
    wipe_secrets(r);
    static unsigned char chunk[IN_CHUNK];
    struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {pipe_w, 0, 0}};
    while (ok && r->stdin_open) {
        if (poll(fds, 2, -1) < 0) {
            ok = errno == EINTR;
            continue;
        }
        if (fds[1].revents != 0)
            break; /* POLLERR: the program closed its stdin */
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0 && write_all(pipe_w, chunk, (size_t)n) == 0;
    }
    wipe(chunk, sizeof chunk);
    _exit(0);
}

/* Makes fd 0 a pipe fed by a child with the kept bytes and the rest of stdin: this process
 * becomes the program, so the copying must live in another. */
static void feed_stdin(struct relay *r)
{
    int p[2];
    if (pipe(p) != 0)
        fail("cannot make a pipe for the program's stdin");
    pid_t pid = fork();
    if (pid < 0)
        fail("cannot start the process that feeds the program's stdin");
    if (pid == 0) {
        close(p[0]);
        run_feeder(r, p[1]);
    }
    close(p[1]);
    if (dup2(p[0], STDIN_FILENO) < 0)
        fail("cannot hand stdin to the program");
    close(p[0]);
}

/* Runs the program in this process: PROG.. [--resumed=K] --handback=WHY ARGS.. */
static NORETURN void serve_here(struct relay *r, const char *why)
{
    const struct invocation *inv = r->inv;
    char **argv = calloc((size_t)inv->nprog + 2 + (size_t)inv->nargs + 1, sizeof *argv);
    char *handback = malloc(strlen("--handback=") + strlen(why) + 1);
    char resumed[48];
    if (argv == NULL || handback == NULL)
        fail("out of memory");
    int n = 0;
    for (int i = 0; i < inv->nprog; i++)
        argv[n++] = inv->prog[i];
    if (r->done_seen) {
        snprintf(resumed, sizeof resumed, "--resumed=%llu", r->done_at);
        argv[n++] = resumed;
    }
    strcpy(handback, "--handback=");
    strcat(handback, why); /* before the wipe: WHY may be the daemon's `here` line */
    argv[n++] = handback;
    for (int i = 0; i < inv->nargs; i++)
        argv[n++] = inv->args[i];

    if (r->sock >= 0)
        close(r->sock);
    /* Untouched, stdin goes to the program as it is (a terminal stays a terminal). */
    if (r->stdin_touched)
        feed_stdin(r);
    wipe_secrets(r);
    signal(SIGPIPE, SIG_DFL); /* an ignored signal stays ignored across exec */
    execvp(argv[0], argv);
    fprintf(stderr, "latchkey: cannot run %s: %s\n", argv[0], strerror(errno));
    exit(STATUS_FAILURE);
}

/* The daemon went away or stopped answering: serve here from the last done point, unless output
 * for input after it is out already, which the program would write again. */
static NORETURN void lost(struct relay *r, const char *why)
{
    static const char message[] =
        "latchkey: the daemon went away in the middle of an answer; run the command again\n";
    if (!r->wrote_since_done) {
        /* said, as the program's own relay says it: something is wrong with the daemon */
        fprintf(stderr, "latchkey: serving in this process instead of the daemon: %s\n", why);
        serve_here(r, why);
    }
    wipe_secrets(r);
    write_all(STDERR_FILENO, message, sizeof message - 1);
    exit(STATUS_FAILURE);
}

/* ---- the header ---- */

static bool named(const char *name, size_t len, const char *literal)
{
    return strlen(literal) == len && memcmp(name, literal, len) == 0;
}

/* CARGO_REGISTRIES_<NAME><suffix>, with a NAME of at least one character. */
static bool registry_variable(const char *name, size_t len, const char *suffix)
{
    static const char prefix[] = "CARGO_REGISTRIES_";
    size_t p = sizeof prefix - 1, s = strlen(suffix);
    return len > p + s && memcmp(name, prefix, p) == 0 && memcmp(name + len - s, suffix, s) == 0;
}

/* The variables that say where the caller keeps its files; nothing else of the environment
 * leaves this process, as it may hold other secrets. */
static bool sent_variable(const char *name, size_t len)
{
    static const char *const exact[] = {"HOME", "CARGO_HOME", "LATCHKEY_CONFIG", "LATCHKEY_LOG",
        "LATCHKEY_NO_DAEMON", "LATCHKEY_SOCKET", "LATCHKEY_AUTOSTART", NULL};
    for (const char *const *e = exact; *e != NULL; e++)
        if (named(name, len, *e))
            return true;
    return (len >= 4 && memcmp(name, "XDG_", 4) == 0) || registry_variable(name, len, "_INDEX");
}

/* Token variables: the daemon learns that they are set, never their values. */
static bool token_variable(const char *name, size_t len)
{
    return named(name, len, "CARGO_REGISTRY_TOKEN") || registry_variable(name, len, "_TOKEN");
}

/* Appends "KEY VALUE\n"; false when the value holds a newline, which no line can carry, or the
 * line is longer than the daemon reads. */
static bool header_line(struct bytes *h, const char *key, const char *value, size_t len)
{
    size_t klen = strlen(key);
    if (memchr(value, '\n', len) != NULL || klen + 1 + len > LINE_MAX_BYTES)
        return false;
    bytes_append(h, key, klen);
    bytes_append(h, " ", 1);
    bytes_append(h, value, len);
    bytes_append(h, "\n", 1);
    return true;
}

static char *working_directory(void)
{
    for (size_t cap = 256;; cap *= 2) {
        char *dir = malloc(cap);
        if (dir == NULL)
            fail("out of memory");
        if (getcwd(dir, cap) != NULL)
            return dir;
        free(dir);
        if (errno != ERANGE)
            return NULL;
    }
}

/* Writes the header into h; returns why it cannot be sent, or NULL. */
static const char *build_header(const struct invocation *inv, struct bytes *h)
{
    static char why[256];
    if (inv->nargs > ARGS_MAX)
        return "the invocation has more arguments than the relay protocol carries";
    bytes_append(h, "latchkey-relay 1\n", strlen("latchkey-relay 1\n"));
    header_line(h, "version", LATCHKEY_VERSION, strlen(LATCHKEY_VERSION));
    for (int i = 0; i < inv->nargs; i++) {
        if (!header_line(h, "arg", inv->args[i], strlen(inv->args[i]))) {
            snprintf(why, sizeof why, "argument %d holds a newline or is over 64 KiB, which the relay cannot send", i + 1);
            return why;
        }
    }
    char *cwd = working_directory();
    if (cwd == NULL)
        return "the working directory cannot be read";
    bool cwd_sent = header_line(h, "cwd", cwd, strlen(cwd));
    free(cwd);
    if (!cwd_sent)
        return "the working directory's path holds a newline or is over 64 KiB, which the relay cannot send";
    for (char **e = environ; *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq != NULL && sent_variable(*e, (size_t)(eq - *e)) && !header_line(h, "env", *e, strlen(*e))) {
            snprintf(why, sizeof why, "the variable %.*s holds a newline or is over 64 KiB, which the relay cannot send",
                (int)(eq - *e > 64 ? 64 : eq - *e), *e);
            return why;
        }
    }
    for (char **e = environ; *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq != NULL && eq[1] != '\0' && token_variable(*e, (size_t)(eq - *e)) && !header_line(h, "has", *e, (size_t)(eq - *e)))
            return "a token variable's name holds a newline, which the relay cannot send";
    }
    for (int fd = 0; fd <= 2; fd++) {
        if (isatty(fd)) {
            char line[16];
            bytes_append(h, line, (size_t)snprintf(line, sizeof line, "tty %d\n", fd));
        }
    }
    bytes_append(h, "\n", 1);
    if (isatty(STDIN_FILENO))
        bytes_append(h, "end\n", 4); /* what a person types is read by the program serving here, never by the relay */
    return h->len > HEADER_MAX_BYTES + 4 ? "the invocation is larger than the relay protocol carries" : NULL;
}

/* ---- the connection ---- */

/* Waits until fd is ready for events or deadline passes; false on timeout. */
static bool wait_for(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return false;
        struct pollfd p = {fd, events, 0};
        int n = poll(&p, 1, (int)left);
        if (n > 0)
            return true;
        if (n < 0 && errno != EINTR)
            return true; /* the caller's next call reports the error */
    }
}

/* Connects without hanging on a daemon that does not accept: -1 with *why otherwise. */
static int connect_daemon(const char *path, const char **why)
{
    static char reason[256];
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) {
        *why = "the daemon's socket path is too long for a Unix socket";
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path));
    /* close-on-exec: the program run instead must not keep the daemon's connection open */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        snprintf(reason, sizeof reason, "cannot make a socket (%s)", strerror(errno));
        *why = reason;
        if (fd >= 0)
            close(fd);
        return -1;
    }
    long long deadline = now_ms() + CONNECT_MS;
    int err = 0;
    for (;;) {
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 || errno == EISCONN)
            return fd;
        if (errno == EAGAIN) {
            /* Linux: the daemon's backlog is full; only trying again tells when it has room */
            struct timespec pause = {0, 10 * 1000000};
            nanosleep(&pause, NULL);
            if (now_ms() < deadline)
                continue;
            err = ETIMEDOUT;
        } else if (errno == EINPROGRESS || errno == EALREADY || errno == EINTR) {
            socklen_t len = sizeof err;
            if (!wait_for(fd, POLLOUT, deadline))
                err = ETIMEDOUT;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
                return fd;
        } else {
            err = errno;
        }
        break;
    }
    close(fd);
    snprintf(reason, sizeof reason, "no daemon to connect to at %s (%s)", path, strerror(err));
    *why = reason;
    return -1;
}

static int peer_uid(int fd, uid_t *uid)
{
#ifdef __linux__
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return -1;
    *uid = cred.uid;
    return 0;
#else
    gid_t gid;
    return getpeereid(fd, uid, &gid);
#endif
}

/* Why the socket's directory is no place to send a token to, or NULL: it must be a real directory of
 * this user's that no one else can enter (docs/daemon.md), as the program's own relay checks it too. */
static const char *unsafe_directory(const char *socket_path)
{
    static char why[2 * PATH_MAX_TEXT + 160];
    char dir[PATH_MAX_TEXT];
    const char *slash = strrchr(socket_path, '/');
    size_t len = slash == NULL ? 1 : slash == socket_path ? 1 : (size_t)(slash - socket_path);
    if (len >= sizeof dir)
        return "the socket's directory path is too long";
    memcpy(dir, slash == NULL ? "." : socket_path, len);
    dir[len] = '\0';
    struct stat st;
    if (lstat(dir, &st) != 0) {
        snprintf(why, sizeof why, "cannot inspect the socket directory %s (%s)", dir, strerror(errno));
        return why;
    }
    if (!S_ISDIR(st.st_mode))
        snprintf(why, sizeof why, "the socket directory %s is not a directory (a symlink, say)", dir);
    else if (st.st_uid != getuid())
        snprintf(why, sizeof why, "the socket directory %s belongs to uid %lu, not to you", dir, (unsigned long)st.st_uid);
    else if ((st.st_mode & 077) != 0) {
        char mode[10];
        for (int i = 0; i < 9; i++)
            mode[i] = (st.st_mode & (0400u >> i)) ? "rwx"[i % 3] : '-';
        mode[9] = '\0';
        snprintf(why, sizeof why, "the socket directory %s is accessible to other users (mode %s); make it private: `chmod 700 %s`",
            dir, mode, dir);
    }
    else
        return NULL;
    return why;
}

/* Why the process serving the socket must not be told anything, or NULL: it is another user's. */
static const char *foreign_peer(int fd)
{
    static char why[128];
    uid_t uid;
    if (peer_uid(fd, &uid) != 0)
        return "cannot tell which user serves the daemon's socket";
    if (uid != getuid()) {
        snprintf(why, sizeof why, "the daemon's socket is served by another user (uid %lu)", (unsigned long)uid);
        return why;
    }
    return NULL;
}

/* ---- frames ---- */

/* Writes as much of the queued header and frames as the socket takes now. */
static void send_pending(struct relay *r)
{
    while (r->to_daemon_sent < r->to_daemon.len) {
        ssize_t n = write(r->sock, r->to_daemon.data + r->to_daemon_sent, r->to_daemon.len - r->to_daemon_sent);
        if (n > 0)
            r->to_daemon_sent += (size_t)n;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        else if (!(n < 0 && errno == EINTR)) {
            r->daemon_stopped_reading = true; /* its last frames (a `here`, an `exit`) may be on their way */
            break;
        }
    }
    bytes_wipe(&r->to_daemon);
    r->to_daemon_sent = 0;
}

static bool sending(const struct relay *r)
{
    return r->to_daemon_sent < r->to_daemon.len;
}

/* Reads what stdin has now and queues it as an `in` frame, or `end` at its end. */
static void read_stdin(struct relay *r)
{
    static unsigned char chunk[IN_CHUNK];
    ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    r->stdin_touched = true;
    r->quiet_since = now_ms();
    if (n <= 0) {
        /* a read error ends the input, as it would for the program reading it */
        r->stdin_open = false;
        bytes_append(&r->to_daemon, "end\n", 4);
    } else {
        char line[32];
        bytes_append(&r->kept, chunk, (size_t)n);
        r->read_total += (unsigned long long)n;
        bytes_append(&r->to_daemon, line, (size_t)snprintf(line, sizeof line, "in %ld\n", (long)n));
        bytes_append(&r->to_daemon, chunk, (size_t)n);
        wipe(chunk, (size_t)n);
    }
    send_pending(r);
}

/* Copies an out/err block's bytes. A reader that went away is not an error: the rest of the
 * answer is consumed and the daemon's status still becomes this process's, as the JVM program
 * (whose PrintStream swallows a broken pipe) would do. */
static void emit(struct relay *r, const unsigned char *p, size_t n)
{
    if (!r->fd_gone[r->block_fd] && write_all(r->block_fd, p, n) != 0)
        r->fd_gone[r->block_fd] = true;
}

/* Parses "PREFIX DIGITS" with a value of at most max. */
static bool number_after(const char *line, const char *prefix, unsigned long long max, unsigned long long *value)
{
    size_t p = strlen(prefix);
    if (strncmp(line, prefix, p) != 0 || line[p] == '\0')
        return false;
    unsigned long long v = 0;
    for (const char *c = line + p; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return false;
        unsigned d = (unsigned)(*c - '0');
        if (d > max || v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *value = v;
    return true;
}

/* Everything before input byte k is answered: those bytes need not be kept, and output from here
 * on belongs to input after k. */
static void take_done(struct relay *r, unsigned long long k)
{
    bytes_drop_front(&r->kept, (size_t)(k - r->kept_from));
    r->kept_from = k;
    r->done_seen = true;
    r->done_at = k;
    r->wrote_since_done = false;
}

static void take_line(struct relay *r, char *line, size_t len)
{
    unsigned long long v;
    if (memchr(line, '\0', len) != NULL)
        lost(r, "the daemon sent a frame the relay cannot read");
    line[len] = '\0';
    if (number_after(line, "out ", BLOCK_MAX, &v) || number_after(line, "err ", BLOCK_MAX, &v)) {
        r->block_fd = line[0] == 'o' ? STDOUT_FILENO : STDERR_FILENO;
        r->block_left = (size_t)v;
        r->wrote_since_done |= v > 0;
    } else if (number_after(line, "done ", r->read_total, &v) && v >= r->kept_from) {
        take_done(r, v);
    } else if (number_after(line, "exit ", 255, &v)) {
        wipe_secrets(r);
        exit((int)v);
    } else if (strcmp(line, "here") == 0 || strncmp(line, "here ", 5) == 0) {
        serve_here(r, len > 5 ? line + 5 : "");
    } else {
        lost(r, "the daemon sent a frame the relay cannot read");
    }
}

/* Acts on the complete frames received; a partial line waits for more bytes. */
static void take_frames(struct relay *r)
{
    size_t pos = 0;
    while (pos < r->from_len) {
        size_t avail = r->from_len - pos;
        if (r->block_left > 0) {
            size_t n = avail < r->block_left ? avail : r->block_left;
            emit(r, r->from_daemon + pos, n);
            r->block_left -= n;
            pos += n;
            continue;
        }
        unsigned char *nl = memchr(r->from_daemon + pos, '\n', avail);
        if (nl == NULL)
            break;
        char *line = (char *)r->from_daemon + pos;
        size_t len = (size_t)(nl - (r->from_daemon + pos));
        pos += len + 1;
        if (r->hello_seen)
            take_line(r, line, len);
        else
            r->hello_seen = true; /* the latchkey protocol's hello: read and ignored */
    }
    memmove(r->from_daemon, r->from_daemon + pos, r->from_len - pos);
    r->from_len -= pos;
    if (r->from_len == sizeof r->from_daemon)
        lost(r, r->hello_seen ? "the daemon sent a frame line over 64 KiB" : "the daemon's hello is over 64 KiB");
}

static void receive(struct relay *r)
{
    ssize_t n = read(r->sock, r->from_daemon + r->from_len, sizeof r->from_daemon - r->from_len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n < 0) {
        static char why[128];
        snprintf(why, sizeof why, "the latchkey daemon went away (%s)", strerror(errno));
        lost(r, why);
    }
    if (n == 0)
        lost(r, r->hello_seen ? "the latchkey daemon went away" : "the latchkey daemon went away before its hello");
    r->from_len += (size_t)n;
    r->quiet_since = now_ms();
    take_frames(r);
}

/* Whether the daemon has something left to say: the greeting or answer before a first done,
 * an answer for input after the last one, or the exit after the input ended. Waiting on a
 * tool that has not written its next request is no reason to give up on the daemon. */
static bool daemon_owes(const struct relay *r)
{
    return !r->done_seen || r->done_at < r->read_total || !r->stdin_open;
}

/* Copies in both directions until the daemon says exit or here, or goes away: stdin is read
 * while the socket is, since cargo writes its request only after the greeting. The header goes
 * out at once, without waiting for the hello. */
static NORETURN void relay_invocation(struct relay *r)
{
    long long hello_deadline = now_ms() + HELLO_MS;
    for (;;) {
        long long deadline = !r->hello_seen ? hello_deadline : daemon_owes(r) ? r->quiet_since + ANSWER_MS : -1;
        long long left = deadline < 0 ? -1 : deadline - now_ms();
        if (deadline >= 0 && left <= 0) {
            if (!r->hello_seen)
                lost(r, "the latchkey daemon did not say hello within 5 s");
            lost(r, "the latchkey daemon did not answer within 60 s");
        }
        struct pollfd fds[2] = {{r->sock, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (sending(r))
            fds[0].events |= POLLOUT;
        /* Stdin waits for the hello (a hung daemon hands stdin back untouched) and for the
         * last frame to go out (so that a slow daemon holds back the input). */
        bool want_stdin = r->hello_seen && r->stdin_open && !sending(r) && !r->daemon_stopped_reading;
        int n = poll(fds, want_stdin ? 2 : 1, left < 0 ? -1 : (int)left);
        if (n < 0 && errno != EINTR)
            fail("poll");
        if (n <= 0)
            continue;
        if (fds[0].revents & POLLOUT)
            send_pending(r);
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
            receive(r);
        if (want_stdin && fds[1].revents != 0)
            read_stdin(r);
    }
}

/* ---- start ---- */

static bool parse_command_line(int argc, char **argv, struct invocation *inv)
{
    if (argc < 4 || argv[2][0] == '\0' || strlen(argv[2]) > 9 || strspn(argv[2], "0123456789") != strlen(argv[2]))
        return false;
    int nargs = atoi(argv[2]);
    if (nargs > argc - 4)
        return false; /* no room for PROG1 */
    inv->socket = argv[1];
    inv->args = argv + 3;
    inv->nargs = nargs;
    inv->prog = argv + 3 + nargs;
    inv->nprog = argc - 3 - nargs;
    return true;
}

/* A closed stdin, stdout or stderr would make the socket one of them. */
static void open_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
            fail("cannot open /dev/null");
    }
}

int main(int argc, char **argv)
{
    static struct relay r;
    struct invocation inv;
    if (!parse_command_line(argc, argv, &inv)) {
        fputs("usage: latchkey-relay SOCKET N ARG1 .. ARGN PROG1 .. PROGM\n", stderr);
        return STATUS_USAGE;
    }
    open_standard_fds();
    signal(SIGPIPE, SIG_IGN); /* a closed stdout or socket shows as EPIPE, handled where it happens */
    r.inv = &inv;
    r.sock = -1;
    r.stdin_open = !isatty(STDIN_FILENO);
    const char *why = build_header(&inv, &r.to_daemon);
    if (why != NULL)
        serve_here(&r, why);
    r.sock = connect_daemon(inv.socket, &why);
    if (r.sock < 0)
        serve_here(&r, why);
    why = foreign_peer(r.sock);
    if (why == NULL)
        why = unsafe_directory(inv.socket);
    if (why != NULL) {
        /* said, as the program's own relay says it: the user should know why the daemon is not used */
        fprintf(stderr, "latchkey: serving in this process instead of the daemon: %s\n", why);
        serve_here(&r, why);
    }
    relay_invocation(&r);
}
