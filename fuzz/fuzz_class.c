/*
 * fuzz_class: `iwm class`, the class summary an instructor makes from the
 * JSON reports students hand in (report_class), so the reports are
 * untrusted files read by report.c's own JSON reader. The input is split
 * at NUL bytes into up to 4 reports (JSON cannot hold a raw NUL), written
 * to files in a private directory (on /dev/shm when there is one), and
 * summarised as Markdown and as HTML.
 * Oracles, beyond "no crash, no leak, no undefined behaviour":
 *   - report_class returns 0 or -1, and -1 comes with a one-line,
 *     terminal-safe reason (`iwm class` prints it);
 *   - the Markdown summary holds no control character (but newlines) and
 *     nothing that could drive a terminal, and the HTML summary no
 *     `<script`.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "report.h"

enum { MAX_REPORTS = 4 };

static char dir[256];

static void cleanup(void)
{
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/iwm-fuzz-class-XXXXXX", base);
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    return 0;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    size_t cap = 0;
    *n = 0;
    for (;;) {
        if (*n + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            s = realloc(s, cap);
            if (!s)
                abort();
        }
        size_t k = fread(s + *n, 1, cap - *n, f);
        *n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char paths[MAX_REPORTS][300];
    const char *inputs[MAX_REPORTS];
    size_t count = 0, at = 0;
    while (count < MAX_REPORTS) {
        const uint8_t *nul = memchr(data + at, 0, size - at);
        size_t end = nul && count + 1 < MAX_REPORTS ? (size_t)(nul - data) : size;
        snprintf(paths[count], sizeof paths[count], "%s/r%zu.json", dir, count);
        FILE *f = fopen(paths[count], "wb");
        if (!f || fwrite(data + at, 1, end - at, f) != end - at || fclose(f))
            abort();
        inputs[count] = paths[count];
        count++;
        if (end >= size)
            break;
        at = end + 1;
    }
    static const char *const outs[] = {"class.md", "class.html"};
    for (size_t i = 0; i < 2; i++) {
        char out[300], err[512] = "";
        snprintf(out, sizeof out, "%s/%s", dir, outs[i]);
        int rc = report_class(inputs, count, out, err, sizeof err);
        if (rc != 0 && rc != -1)
            abort();
        if (rc == -1) {
            if (!err[0] || strchr(err, '\n')) {
                fprintf(stderr, "fuzz oracle: a bad or empty reason: '%s'\n", err);
                abort();
            }
            fz_check_terminal_safe(err, strlen(err), false, "the reason");
            continue;
        }
        size_t n;
        char *s = slurp(out, &n);
        if (!s)
            abort();
        if (i == 0)
            fz_check_terminal_safe(s, n, false, "the Markdown summary");
        else
            for (size_t k = 0; k + 7 <= n; k++)
                if (s[k] == '<' && !strncasecmp(s + k, "<script", 7))
                    fz_fail("a <script> in the HTML summary", s, n, k);
        free(s);
        unlink(out);
    }
    for (size_t i = 0; i < count; i++)
        unlink(paths[i]);
    return 0;
}
