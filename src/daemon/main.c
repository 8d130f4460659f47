/* SPDX-License-Identifier: MulanPSL-2.0 */
/* main.c - etmemd: option parsing, start-up (foreground or systemd forking mode), signals
 * and clean shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "damon_writer.h"
#include "log.h"
#include "metrics.h"
#include "manpage.h"
#include "model.h"
#include "objconf.h"
#include "probe.h"
#include "protocol.h"
#include "runtime.h"
#include "sdnotify.h"
#include "server.h"
#include "state.h"
#include "strparse.h"
#include "taskrun.h"
#include "tracker.h"

#define EXIT_USAGE 255          /* the original's `return -1` from main */
#define DEFAULT_PID_FILE "/run/etmemd.pid"

struct options {
    const char *socket;
    int log_level;
    bool systemctl;
    const char *pid_file;
    const char *metrics_file;
    const char *state_dir;
};

enum {
    OPT_PID_FILE = 0x100,
    OPT_HELP_CONFIG,
    OPT_HELP_MAN,
    OPT_PROBE,
    OPT_METRICS_FILE,
    OPT_STATE_DIR,
    OPT_VERSION,
};

static const struct option long_options[] = {
    { "log-level", required_argument, NULL, 'l' },
    { "socket", required_argument, NULL, 's' },
    { "mode-systemctl", no_argument, NULL, 'm' },
    { "help", no_argument, NULL, 'h' },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "help-config", optional_argument, NULL, OPT_HELP_CONFIG },
    { "help-man", no_argument, NULL, OPT_HELP_MAN },
    { "probe", optional_argument, NULL, OPT_PROBE },
    { "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
    { "state-dir", required_argument, NULL, OPT_STATE_DIR },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
};

#define STRINGIFY(x) #x
#define STR(x) STRINGIFY(x)

/* What `etmemd -h` and etmemd(8) say about each option. */
static const struct option_help {
    const char *spec;
    const char *help;
} option_helps[] = {
    { "-l|--log-level <log-level>", "Log level (0 debug, 1 info, 2 warning, 3 error; default 1)" },
    { "-s|--socket <socket name>", "Socket name to listen to (required, at most "
      STR(ETMEM_SOCKET_NAME_MAX) " characters)" },
    { "-m|--mode-systemctl", "mode used to start(systemctl): fork, write the pid file, "
      "return once listening" },
    { "   --pid-file <path>", "pid file for -m (default " DEFAULT_PID_FILE ")" },
    { "   --metrics-file <path>", "write `etmem metrics` to path every "
      STR(METRICS_FILE_PERIOD_SEC) " s (atomically; for node_exporter's textfile collector)" },
    { "   --state-dir <dir>", "keep every obj add and which projects are started in dir, and "
      "restore them at start (systemd/etmemd.service uses /var/lib/etmem)" },
    { "   --help-config[=md|man]", "list every config file key (markdown with =md, the "
      "etmem.conf(5) man page with =man)" },
    { "   --help-man", "print this daemon's man page, etmemd(8)" },
    { "   --probe[=json]", "show what this kernel offers etmem and exit" },
    { "   --version", "print the version and exit" },
    { "-h|--help", "Show this message" },
};

#define NR_OPTION_HELPS (sizeof(option_helps) / sizeof(option_helps[0]))

static void usage(FILE *out)
{
    fprintf(out, "usage of etmemd:\n    etmemd [options]\noptions:\n");
    for (size_t i = 0; i < NR_OPTION_HELPS; i++)
        fprintf(out, "    %-28s%s\n", option_helps[i].spec, option_helps[i].help);
}

/* etmemd(8): the options from the table above, and how the daemon lives with systemd */
static void man_page(void)
{
    man_begin(stdout, "etmemd", "8", "memory tiering daemon");
    puts(".SH SYNOPSIS\n.B etmemd\n.B \\-s\n.I socket\n.RB [ \\-l\n.IR level ]\n"
         ".RB [ \\-m ]\n.RB [ \\-\\-pid\\-file\n.IR path ]\n.br\n.B etmemd \\-\\-probe\n"
         ".RI [ =json ]\n.SH DESCRIPTION");
    man_text(stdout, "etmemd watches the processes that its projects name, tells their hot "
             "pages from their cold ones, and moves the cold ones to a cheaper tier: swap or "
             "compressed memory (engine slide), a slow NUMA node (engine cslide), or wherever "
             "a plug-in engine decides (engine thirdparty). It is driven by etmem(8) over the "
             "abstract Unix socket named with -s; only root may talk to it. Projects, engines "
             "and tasks come from files described in etmem.conf(5). At start it probes what "
             "the running kernel offers (access tracking through idle_pages, page_idle, DAMON "
             "or a fallback; swap through swap_pages or process_madvise) and each task uses "
             "the best of it unless its file says otherwise.");
    puts(".SH OPTIONS");
    for (size_t i = 0; i < NR_OPTION_HELPS; i++) {
        const char *spec = option_helps[i].spec;

        man_item(stdout, spec + strspn(spec, " "), option_helps[i].help);
    }
    puts(".SH SYSTEMD");
    man_text(stdout, "Under systemd (etmemd.service) etmemd runs in the foreground as a "
             "Type=notify service: it sends READY=1 once its socket listens, STATUS= lines "
             "with the number of projects and tasks and the access tracker the probe chose, "
             "and, when the unit sets WatchdogSec=, WATCHDOG=1 every half period only while "
             "no thread has been busy for a whole period: the server loop, every task "
             "thread's cycle (between its sleeps) and every call into a plug-in. A stuck "
             "engine stops the pings and systemd restarts the daemon. With -m it keeps the "
             "original's forking mode instead: the parent returns once the child listens and "
             "the pid file is written.");
    puts(".SH SIGNALS\n.TP\n.B SIGTERM\\fR, \\fBSIGINT");
    man_text(stdout, "stop every project (the cycles under way finish their step), restore "
             "the kernel knobs the projects changed, remove the pid file and exit 0. Where "
             "the kernel offers DAMON, a second process named etmemd-damon, forked at start, "
             "makes etmemd's writes to DAMON's sysfs (the kernel answers some of them only at "
             "the kdamond's next aggregation, and no signal ends such a write); it ignores "
             "these signals and, once etmemd has exited, turns etmemd's kdamond off, removes "
             "it and exits.");
    puts(".SH EXIT STATUS");
    man_text(stdout, "0 after a clean stop or a help option; 1 when it cannot start (socket "
             "name in use, pid file held); 255 on a usage error.");
    puts(".SH FILES\n.TP\n.I /etc/etmem/*.yaml\nexample project files, see\n.BR etmem.conf (5)"
         "\n.TP\n.I " DEFAULT_PID_FILE "\nthe pid file of \\-m mode\n.SH SEE ALSO\n"
         ".BR etmem (8),\n.BR etmem.conf (5),\n.BR etmem\\-engine\\-abi (3),\n"
         ".BR systemd.service (5)");
}

static void usage_log_level(void)
{
    fprintf(stderr, "log level should be one of:\n"
            "    [0] for debug level\n    [1] for info level\n"
            "    [2] for warning level\n    [3] for error level\n"
            "default level is info\n");
}

static struct kernel_caps kernel_caps;

/* --probe[=json], --help-config[=md|man]: the index of FORMAT in the NULL-terminated list
 * KNOWN (0 when none was given: the text format), or -1 when it is not there. */
static int format_index(const char *option, const char *format, const char *const *known)
{
    if (format == NULL)
        return 0;
    for (int i = 1; known[i] != NULL; i++) {
        if (strcmp(format, known[i]) == 0)
            return i;
    }
    fprintf(stderr, "error: %s=%s: unknown output format (known:", option, format);
    for (int i = 1; known[i] != NULL; i++)
        fprintf(stderr, " %s", known[i]);
    fprintf(stderr, ")\n");
    return -1;
}

/* indexed by enum key_format */
static const char *const config_formats[] = { "text", "md", "man", NULL };
static const char *const probe_formats[] = { "text", "json", NULL };

static void print_probe(bool json)
{
    kernel_probe(&kernel_caps);
    if (json) {
        kernel_caps_json(&kernel_caps, stdout);
        putchar('\n');
    } else {
        kernel_caps_print(&kernel_caps, stdout);
    }
}

/* Probe once; engines pick their backends from it. Say what slide would use (the selector
 * itself warns when that is the fallback tracker) and return its name. */
static const char *probe_kernel(void)
{
    const struct tracker_ops *t;
    char why[256];

    kernel_probe(&kernel_caps);
    engines_set_caps(&kernel_caps);
    t = tracker_select(&kernel_caps, NULL, true, why, sizeof(why));
    if (t != NULL)
        log_info("kernel %s: access tracking by %s", kernel_caps.release, t->name);
    else
        log_err("kernel %s: no usable access tracker: %s", kernel_caps.release, why);
    if (kernel_caps.swap_total_kb == 0)
        log_warn("no swap space: the slide engine cannot swap anything out until swap exists");
    return t != NULL ? t->name : "none";
}

/* Returns 0 to run, 1 to exit successfully (help), -1 on a usage error (message printed). */
static int parse_options(int argc, char **argv, struct options *opt)
{
    int c, format;
    int64_t level;

    *opt = (struct options){ .log_level = LOG_LEVEL_DEFAULT, .pid_file = DEFAULT_PID_FILE };
    while ((c = getopt_long(argc, argv, "l:s:mh", long_options, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (!parse_int_range(optarg, LOG_LEVEL_DEBUG, LOG_LEVEL_ERR, &level)) {
                fprintf(stderr, "error: invalid log level [%s]\n", optarg);
                usage_log_level();
                return -1;
            }
            opt->log_level = (int)level;
            break;
        case 's':
            if (opt->socket != NULL) {
                fprintf(stderr, "error: parse sock parameter repeated\n");
                return -1;
            }
            opt->socket = optarg;
            break;
        case 'm':
            opt->systemctl = true;
            break;
        case OPT_PID_FILE:
            opt->pid_file = optarg;
            break;
        case OPT_METRICS_FILE:
            opt->metrics_file = optarg;
            break;
        case OPT_STATE_DIR:
            opt->state_dir = optarg;
            break;
        case 'h':
            usage(stdout);
            if (argc > 2) {     /* as the original: -h takes nothing else along */
                fprintf(stderr, "warn: useless parameters passed in\n");
                return -1;
            }
            return 1;
        case OPT_HELP_CONFIG:
            format = format_index("--help-config", optarg, config_formats);
            if (format < 0)
                return -1;
            objconf_print_help(stdout, (enum key_format)format);
            return 1;
        case OPT_HELP_MAN:
            man_page();
            return 1;
        case OPT_PROBE:
            format = format_index("--probe", optarg, probe_formats);
            if (format < 0)
                return -1;
            print_probe(format == 1);
            return 1;
        case OPT_VERSION:
            printf("etmemd %s\n", ETMEM_VERSION);
            return 1;
        default:
            fprintf(stderr, "error: parse parameters failed\n");
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "warn: useless parameters passed in: '%s'\n", argv[optind]);
        return -1;
    }
    if (opt->socket == NULL) {
        fprintf(stderr, "error: socket name of rpc to listen must be provided (-s|--socket)\n");
        usage(stderr);
        return -1;
    }
    if (strlen(opt->socket) > ETMEM_SOCKET_NAME_MAX) {
        fprintf(stderr, "error: length of socket name to listen should be at most %d "
                "characters\n", ETMEM_SOCKET_NAME_MAX);
        return -1;
    }
    if (opt->socket[0] == '\0' || !str_is_printable_ascii(opt->socket, true)) {
        fprintf(stderr, "error: socket name must be printable ASCII without blanks\n");
        return -1;
    }
    return 0;
}

static int listen_or_explain(const char *name)
{
    int fd = server_listen(name);

    if (fd == -EADDRINUSE)
        fprintf(stderr, "etmemd: socket name '%s' is already in use: another etmemd (or "
                "another program) listens on it\n", name);
    else if (fd < 0)
        fprintf(stderr, "etmemd: cannot listen on socket '%s': %s\n", name, strerror(-fd));
    return fd;
}

/* Create and lock the pid file; the lock is held (fd kept open) for the daemon's life. */
static int pid_file_claim(const char *path)
{
    char buf[32];
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    int len;

    if (fd < 0) {
        fprintf(stderr, "etmemd: cannot open pid file %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        fprintf(stderr, "etmemd: pid file %s is held by another etmemd; give each daemon its "
                "own --pid-file\n", path);
        close(fd);
        return -1;
    }
    len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
        fprintf(stderr, "etmemd: cannot write pid file %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* The original's -m: the parent returns only once the child listens (systemd Type=forking).
 * The child becomes the daemon: own session, pid file, stdio on /dev/null, cwd /. */
static int daemonize_and_listen(const struct options *opt, int *pid_fd)
{
    int ready[2], lfd, devnull;
    char ok;
    pid_t pid;

    if (pipe2(ready, O_CLOEXEC) < 0) {
        fprintf(stderr, "etmemd: pipe: %s\n", strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "etmemd: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid > 0) {
        close(ready[1]);
        exit(read(ready[0], &ok, 1) == 1 ? EXIT_SUCCESS : EXIT_FAILURE);
    }
    close(ready[0]);
    if (setsid() < 0)
        fprintf(stderr, "etmemd: setsid: %s\n", strerror(errno));
    lfd = listen_or_explain(opt->socket);
    if (lfd < 0)
        exit(EXIT_FAILURE);
    *pid_fd = pid_file_claim(opt->pid_file);
    if (*pid_fd < 0)
        exit(EXIT_FAILURE);
    if (chdir("/") < 0)
        fprintf(stderr, "etmemd: chdir /: %s\n", strerror(errno));
    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        close(devnull);
    }
    ok = 1;
    if (write(ready[1], &ok, 1) != 1)
        exit(EXIT_FAILURE);
    close(ready[1]);
    return lfd;
}

static void block_signals(void)
{
    sigset_t set;

    /* SIGINT/SIGTERM are taken by the server loop through a signalfd; every thread
     * created later inherits this mask. Writes to gone clients must not kill us. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    struct options opt;
    int rc = parse_options(argc, argv, &opt);
    int lfd, pid_fd = -1;
    const char *backend;

    if (rc != 0)
        return rc > 0 ? EXIT_SUCCESS : EXIT_USAGE;
    umask(077);
    log_set_level(opt.log_level);
    if (opt.systemctl) {
        lfd = daemonize_and_listen(&opt, &pid_fd);
        log_open("etmemd", true, false);
    } else {
        lfd = listen_or_explain(opt.socket);
        log_open("etmemd", true, true);
    }
    if (lfd < 0)
        return EXIT_FAILURE;
    block_signals();
    caps_drop_unneeded();
    damon_writer_start();   /* a process: before any thread exists */
    log_info("etmemd %s listening on socket '%s' (pid %d, log level %d)", ETMEM_VERSION,
             opt.socket, (int)getpid(), opt.log_level);
    backend = probe_kernel();
    rc = opt.metrics_file != NULL ? metrics_file_start(opt.metrics_file) : 0;
    if (rc == 0 && opt.state_dir != NULL && (rc = state_open(opt.state_dir)) == 0)
        state_restore();    /* before systemd hears we are ready */
    if (rc == 0)
        rc = sdnotify_start(backend);
    if (rc == 0)
        server_run(lfd, damon_writer_detach);
    /* from the signal on (or here, when no server ran), DAMON's slow writes are the
     * writer's to end after us, not ours to wait for */
    damon_writer_detach();
    sdnotify_stop();
    close(lfd);
    metrics_file_stop();
    /* what the tasks took goes back to the kernel at once at exit, not trimmed piecemeal
     * while they are freed; no cycle starts while they are stopped one by one */
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    taskrun_close();
    model_shutdown();
    taskrun_shutdown();
    state_close();
    if (pid_fd >= 0) {
        unlink(opt.pid_file);
        close(pid_fd);
    }
    log_info("etmemd stopped");
    log_close();
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
