/*
 * embedded: the default story compiled into the program (the arrays are
 * generated at build time by tools/embed.c from story/working-models/).
 */
#include "pack.h"

extern const char *const iwm_embedded_names[];
extern const char *const iwm_embedded_files[];
extern const size_t iwm_embedded_lens[];
extern const size_t iwm_embedded_count;

pack *pack_load_embedded(diags *d)
{
    return pack_load_memory("working-models", iwm_embedded_names, iwm_embedded_files,
                            iwm_embedded_lens, iwm_embedded_count, d);
}
