/* SPDX-License-Identifier: MulanPSL-2.0 */
/* thirdparty_load.c - loading a plug-in library safely, and sharing it between engines.
 *
 * DESIGN. The path is opened first (O_PATH|O_NOFOLLOW: opening has no side effects, even
 * on a FIFO or a device, and a symlink is seen as one), the opened file is checked, and
 * the loader is handed /proc/self/fd/N, so what is checked is what is loaded: renaming or
 * replacing the path meanwhile changes nothing. glibc knows loaded objects by every name
 * they were opened with, so an earlier plug-in loaded through the same N would be returned
 * instead of our file: after loading, the object's mapping must be of the file we checked
 * (dev and inode in /proc/self/maps), else it is closed and N changed. The ops symbol must
 * be a data object of at
 * least sizeof(struct engine_ops) defined by the library itself (dlsym also searches its
 * dependencies), and every member it sets must point into loaded code.
 * One record per loaded file: dlopen of the same file again returns the same handle, and
 * its engines share the record's gate (see plugin_call.h). */
#include "thirdparty.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "conffile.h"
#include "diag.h"
#include "log.h"
#include "plugin_call.h"
#include "xalloc.h"

#define PROC_FD_NAME_MAX 48
#define FD_NAME_TRIES 64

struct plugin_lib {
    void *handle;
    unsigned loads;             /* successful dlopens of this handle, each to be closed */
    struct plugin_gate *gate;
    char *path;
    struct plugin_lib *next;
};

/* Loads are serialised (they are rare); the list is the registry of loaded files. */
static pthread_mutex_t libs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct plugin_lib *libs;

/* The mode rule, in the order worth telling: a failed rule says what is wrong. */
static const struct {
    unsigned mask, want;
    const char *why;
} mode_rules[] = {
    { 0022, 0, "its group or others can write it, so they could change code etmemd runs as "
               "root" },
    { 07000, 0, "it has a set-user-ID, set-group-ID or sticky bit" },
    { 0055, 0, "its group or others can read or execute it" },
    { 0500, 0500, "its owner cannot both read and execute it" },
};

const char *plugin_mode_problem(unsigned mode)
{
    for (size_t i = 0; i < sizeof(mode_rules) / sizeof(mode_rules[0]); i++) {
        if ((mode & mode_rules[i].mask) != mode_rules[i].want)
            return mode_rules[i].why;
    }
    return NULL;    /* what is left is 0500 or 0700 */
}

static const char *file_kind(mode_t m)
{
    if (S_ISLNK(m))
        return "a symbolic link; give the path of the library itself (links are refused so "
               "that what is checked is what is loaded)";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO, not a regular file";
    if (S_ISSOCK(m))
        return "a socket, not a regular file";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device, not a regular file";
    return NULL;
}

/* Open and check libname; the O_PATH fd (st filled), or -1 after reporting. */
static int open_checked(const char *libname, struct stat *stp, const struct conf_file *cf,
                        struct diag *d)
{
    struct stat st;
    const char *kind, *why;
    int fd = open(libname, O_PATH | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0) {
        conf_error(cf, "engine", "libname", d, "plug-in %s: cannot open it: %s", libname,
                   strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        conf_error(cf, "engine", "libname", d, "plug-in %s: cannot stat it: %s", libname,
                   strerror(errno));
        goto fail;
    }
    kind = file_kind(st.st_mode);
    if (kind != NULL) {
        conf_error(cf, "engine", "libname", d, "plug-in %s: is %s", libname, kind);
        goto fail;
    }
    if (st.st_uid != 0) {
        conf_error(cf, "engine", "libname", d, "plug-in %s: is owned by uid %u; a plug-in "
                   "must be owned by root", libname, (unsigned)st.st_uid);
        goto fail;
    }
    why = plugin_mode_problem((unsigned)(st.st_mode & 07777));
    if (why != NULL) {
        conf_error(cf, "engine", "libname", d, "plug-in %s: has mode %04o, but a plug-in must "
                   "have mode 500 or 700: %s", libname, (unsigned)(st.st_mode & 07777), why);
        goto fail;
    }
    *stp = st;
    return fd;
fail:
    close(fd);
    return -1;
}

/* dlerror() names the file as we opened it; say its real path instead. */
static void report_dlerror(const char *what, const char *libname, const char *fdname,
                           const struct conf_file *cf, const char *key, struct diag *d)
{
    const char *err = dlerror();
    size_t n = strlen(fdname);

    if (err == NULL)
        err = "unknown error";
    if (strncmp(err, fdname, n) == 0 && err[n] == ':')
        err += n + 1;
    while (*err == ' ')
        err++;
    conf_error(cf, "engine", key, d, "plug-in %s: %s: %s", libname, what, err);
}

/* Whether the mapping that holds addr is of the file st describes. */
static bool mapped_from(const void *addr, const struct stat *st)
{
    FILE *f = fopen("/proc/self/maps", "re");
    char *line = NULL;
    size_t cap = 0;
    bool found = false;

    if (f == NULL)
        return false;
    while (getline(&line, &cap, f) > 0) {
        unsigned long start, end, ino;
        unsigned maj, mnr;

        if (sscanf(line, "%lx-%lx %*s %*s %x:%x %lu", &start, &end, &maj, &mnr, &ino) != 5)
            continue;
        if ((uintptr_t)addr < start || (uintptr_t)addr >= end)
            continue;
        found = maj == major(st->st_dev) && mnr == minor(st->st_dev) && ino == st->st_ino;
        break;
    }
    free(line);
    fclose(f);
    return found;
}

/* dlopen fd's file through /proc/self/fd; NULL after reporting. See DESIGN for why the
 * name may have to change. */
static void *open_through_fd(int fd, const struct stat *st, const char *libname,
                             const struct conf_file *cf, struct diag *d)
{
    char name[PROC_FD_NAME_MAX];
    int cur = fd;
    void *handle = NULL;

    for (int i = 0; i < FD_NAME_TRIES && handle == NULL; i++) {
        struct link_map *lm = NULL;
        int next;

        snprintf(name, sizeof(name), "/proc/self/fd/%d", cur);
        dlerror();
        handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) {
            report_dlerror("cannot load it", libname, name, cf, "libname", d);
            break;
        }
        if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 && mapped_from(lm->l_ld, st))
            break;
        dlclose(handle);    /* another plug-in known by that name */
        handle = NULL;
        next = fcntl(fd, F_DUPFD_CLOEXEC, cur + 1);
        if (cur != fd)
            close(cur);
        cur = next;
        if (cur < 0) {
            conf_error(cf, "engine", "libname", d, "plug-in %s: cannot duplicate its fd: %s",
                       libname, strerror(errno));
            return NULL;
        }
    }
    if (cur != fd)
        close(cur);
    if (handle == NULL && !diag_failed(d))
        conf_error(cf, "engine", "libname", d, "plug-in %s: the loader kept giving another "
                   "library for it", libname);
    return handle;
}

/* ops must be a struct engine_ops of the library itself whose members point into code. */
static int check_ops(void *handle, const char *libname, const char *ops_name, void *sym,
                     const struct conf_file *cf, struct diag *d)
{
    struct link_map *own = NULL, *where = NULL;
    const ElfW(Sym) *ent = NULL;
    Dl_info info;

    if (dlinfo(handle, RTLD_DI_LINKMAP, &own) != 0 ||
        dladdr1(sym, &info, (void **)&where, RTLD_DL_LINKMAP) == 0 || where != own) {
        conf_error(cf, "engine", "ops_name", d, "plug-in %s: symbol '%s' is not defined by the "
                   "plug-in but by %s", libname, ops_name,
                   where != NULL && where->l_name[0] ? where->l_name : "another object");
        return -1;
    }
    if (dladdr1(sym, &info, (void **)&ent, RTLD_DL_SYMENT) == 0 || ent == NULL ||
        info.dli_saddr != sym || ELF64_ST_TYPE(ent->st_info) != STT_OBJECT) {
        conf_error(cf, "engine", "ops_name", d, "plug-in %s: symbol '%s' is not a variable; "
                   "ops_name must name the plug-in's struct engine_ops itself (not a function)",
                   libname, ops_name);
        return -1;
    }
    if (ent->st_size < sizeof(struct engine_ops)) {
        conf_error(cf, "engine", "ops_name", d, "plug-in %s: symbol '%s' is %zu bytes, too "
                   "small for a struct engine_ops (%zu bytes)", libname, ops_name,
                   (size_t)ent->st_size, sizeof(struct engine_ops));
        return -1;
    }
    for (enum plugin_op op = 0; op < PLUGIN_OP_COUNT; op++) {
        const void *fn = plugin_op_address(sym, op);

        if (fn != NULL && dladdr(fn, &info) == 0) {
            conf_error(cf, "engine", "ops_name", d, "plug-in %s: %s.%s points outside every "
                       "loaded object; is '%s' really a struct engine_ops?", libname,
                       ops_name, plugin_op_name(op), ops_name);
            return -1;
        }
    }
    return 0;
}

static struct plugin_lib *lib_register(void *handle, const char *libname)
{
    struct plugin_lib *lib;

    for (lib = libs; lib != NULL; lib = lib->next) {
        if (lib->handle == handle) {
            lib->loads++;
            return lib;
        }
    }
    lib = xcalloc(1, sizeof(*lib));
    lib->handle = handle;
    lib->loads = 1;
    lib->path = xstrdup(libname);
    lib->gate = plugin_gate_new(libname);
    lib->next = libs;
    libs = lib;
    return lib;
}

struct plugin_lib *plugin_lib_load(const char *libname, const char *ops_name,
                                   struct engine_ops **ops, const struct conf_file *cf,
                                   struct diag *d)
{
    struct plugin_lib *lib = NULL;
    void *handle, *sym;
    struct stat st;
    int fd = open_checked(libname, &st, cf, d);

    if (fd < 0)
        return NULL;
    pthread_mutex_lock(&libs_lock);
    handle = open_through_fd(fd, &st, libname, cf, d);
    if (handle == NULL)
        goto out;
    dlerror();
    sym = dlsym(handle, ops_name);
    if (sym == NULL) {
        conf_error(cf, "engine", "ops_name", d, "plug-in %s: has no symbol '%s' (ops_name must "
                   "name its struct engine_ops)", libname, ops_name);
        dlclose(handle);
        goto out;
    }
    if (check_ops(handle, libname, ops_name, sym, cf, d) < 0) {
        dlclose(handle);
        goto out;
    }
    *ops = sym;
    lib = lib_register(handle, libname);
    log_info("loaded plug-in %s (struct engine_ops %s)", libname, ops_name);
out:
    pthread_mutex_unlock(&libs_lock);
    close(fd);
    return lib;
}

struct plugin_gate *plugin_lib_gate(struct plugin_lib *lib)
{
    return lib->gate;
}

void *plugin_lib_handle(struct plugin_lib *lib)
{
    return lib->handle;
}

void plugin_lib_unload(struct plugin_lib *lib)
{
    struct plugin_lib **pp;

    pthread_mutex_lock(&libs_lock);
    if (dlclose(lib->handle) != 0)
        log_err("plug-in %s: dlclose: %s", lib->path, dlerror());
    if (--lib->loads > 0) {
        pthread_mutex_unlock(&libs_lock);
        return;
    }
    for (pp = &libs; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == lib) {
            *pp = lib->next;
            break;
        }
    }
    pthread_mutex_unlock(&libs_lock);
    log_info("unloaded plug-in %s", lib->path);
    plugin_gate_free(lib->gate);
    free(lib->path);
    free(lib);
}
