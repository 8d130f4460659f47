/* slide.h - the slide engine's per-task parameters. */
#ifndef ETMEM_SLIDE_H
#define ETMEM_SLIDE_H

#include <stdint.h>

struct slide_task_params {
    int T;                      /* hot if the summed weight over `loop` scans is >= T */
    uint64_t swap_threshold_kb; /* skip processes using less; 0 = unset */
    int dram_percent;           /* keep at most this share in RAM; 0 = unset */
};

#endif
