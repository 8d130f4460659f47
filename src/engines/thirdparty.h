/* thirdparty.h - the thirdparty engine's parameters. */
#ifndef ETMEM_THIRDPARTY_H
#define ETMEM_THIRDPARTY_H

struct thirdparty_engine_conf {
    char *eng_name;     /* the engine's name in its project; tasks refer to it */
    char *libname;      /* absolute path of the plug-in */
    char *ops_name;     /* symbol of its struct engine_ops */
};

#endif
