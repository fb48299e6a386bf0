/*
 * out: sanitising and rendering of story text (see out.h). Sanitising and
 * the safety check share one classifier, so out_is_safe can never disagree
 * with what out_sanitize removes. Rendering works on a sanitised copy held
 * in one scratch buf: each paragraph is normalised in place (it only ever
 * shrinks), then its matched markers are overwritten with control bytes
 * 0x01-0x05. Sanitising guarantees those bytes cannot occur in text, and
 * they are C0 controls, so utf8_width already counts them as zero columns;
 * wrapping therefore measures words with markup without a second pass.
 * The only escape sequences ever written come from the table of SGR below.
 */
#include "out.h"

#include <stdint.h>

#include "utf8.h"

enum { KEEP, DROP, SPACE, BAD };

/* What out_sanitize does with the character at s[0..n); *len is its size. */
static int classify(const char *s, size_t n, size_t *len)
{
    unsigned char c = (unsigned char)s[0];
    uint32_t cp;

    *len = 1;
    if (c < 0x80) {
        if (c == '\n' || (c >= 0x20 && c != 0x7F))
            return KEEP;
        return c == '\t' ? SPACE : DROP;
    }
    *len = utf8_decode(s, n, &cp);
    if (*len == 0) {
        *len = 1; /* one replacement per bad byte: resynchronise early */
        return BAD;
    }
    if (utf8_is_format_control(cp))
        return DROP;
    return KEEP;
}

void out_sanitize(buf *dst, const char *s, size_t n)
{
    size_t i = 0, k;

    while (i < n) {
        switch (classify(s + i, n - i, &k)) {
        case KEEP:
            buf_append(dst, s + i, k);
            break;
        case SPACE:
            buf_putc(dst, ' ');
            break;
        case BAD:
            buf_append(dst, "\xEF\xBF\xBD", 3);
            break;
        default:
            break;
        }
        i += k;
    }
}

bool out_is_safe(const char *s, size_t n)
{
    size_t i = 0, k;

    while (i < n) {
        if (classify(s + i, n - i, &k) != KEEP)
            return false;
        i += k;
    }
    return true;
}

/* Marker bytes written over matched asterisks; SKIP pads "**" to 2 bytes. */
enum { SKIP = 1, BON, BOFF, ION, IOFF };
enum { BOLD = 1, ITAL = 2 };

static const char *const sgr_on[] = {"", "\x1b[1m", "\x1b[3m"};
static const char *const sgr_off[] = {"", "\x1b[22m", "\x1b[23m"};

/* Pairs markers in a normalised paragraph p[0..n) and rewrites the pairs
 * in place. Like CommonMark's flanking rule, an opener must be followed and
 * a closer preceded by a non-space, so "2 * 3" stays literal; a later
 * opener supersedes an unclosed earlier one, which then stays an asterisk.
 * Runs of four or more asterisks are decoration, kept as they are. */
static void pair(char *p, size_t n)
{
    size_t pend[2] = {SIZE_MAX, SIZE_MAX}; /* [0] italic, [1] bold */
    size_t i = 0;

    while (i < n) {
        if (p[i] != '*') {
            i++;
            continue;
        }
        size_t run = i;
        while (i < n && p[i] == '*')
            i++;
        size_t len = i - run;
        if (len > 3)
            continue;
        bool open = i < n && p[i] != ' ';
        bool close = run > 0 && p[run - 1] != ' ';
        /* Bit 0 of len is an italic marker, bit 1 a bold one: "***" is
         * both, italic first. */
        for (int k = 0; k < 2; k++) {
            if ((len & (size_t)(k + 1)) == 0)
                continue;
            size_t at = k == 0 ? run : i - 2;
            if (close && pend[k] != SIZE_MAX) {
                p[pend[k]] = (char)(k ? BON : ION);
                p[at] = (char)(k ? BOFF : IOFF);
                if (k) {
                    p[pend[k] + 1] = SKIP;
                    p[at + 1] = SKIP;
                }
                pend[k] = SIZE_MAX;
            } else if (open) {
                pend[k] = at;
            }
        }
    }
}

/* Wrapping state for one paragraph. */
struct wr {
    buf *dst;
    const out_style *st;
    size_t col, avail, next; /* column; columns on this line, on the next */
    int cont;                /* indentation of continuation lines */
    bool used;               /* something has been written on this line */
    int on, pend;            /* styles emitted; opened but not yet emitted */
};

static void spaces(buf *dst, int n)
{
    while (n-- > 0)
        buf_putc(dst, ' ');
}

static void newline(struct wr *w)
{
    buf_putc(w->dst, '\n');
    spaces(w->dst, w->cont);
    w->col = 0;
    w->used = false;
    w->avail = w->next;
}

/* Openers wait for the next character, so that a span which wraps opens
 * on the line where its text is, and an empty span writes nothing. */
static void style(struct wr *w, int mark)
{
    int bit = mark == BON || mark == BOFF ? BOLD : ITAL;

    if (mark == BON || mark == ION) {
        w->pend |= bit;
    } else if (w->pend & bit) {
        w->pend &= ~bit;
    } else if (w->on & bit) {
        w->on &= ~bit;
        if (w->st->styled)
            buf_puts(w->dst, sgr_off[bit]);
    }
}

static void flush(struct wr *w)
{
    for (int bit = BOLD; bit <= ITAL; bit <<= 1) {
        if ((w->pend & bit) && w->st->styled)
            buf_puts(w->dst, sgr_on[bit]);
    }
    w->on |= w->pend;
    w->pend = 0;
}

/* Writes one word, breaking it only when it alone is wider than a line.
 * A break happens before a character that would overflow, never before a
 * zero-width one, so combining marks stay with their base character. */
static void word(struct wr *w, const char *s, size_t n)
{
    size_t ww = utf8_width(s, n), i = 0;

    if (w->used) {
        if (w->col + 1 + ww > w->avail) {
            newline(w);
        } else {
            buf_putc(w->dst, ' ');
            w->col++;
        }
    }
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        if (c >= SKIP && c <= IOFF) {
            if (c != SKIP)
                style(w, c);
            i++;
            continue;
        }
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (k == 0) /* cannot happen after sanitising; stay total anyway */
            k = 1, cp = 0xFFFD;
        size_t cw = (size_t)utf8_cpwidth(cp);
        if (w->col > 0 && w->col + cw > w->avail)
            newline(w);
        flush(w);
        buf_append(w->dst, s + i, k);
        w->col += cw;
        w->used = true;
        i += k;
    }
}

static size_t room(int width, int ind)
{
    if (width <= 0)
        return SIZE_MAX / 2; /* no wrapping; halved so col + 1 + ww can't wrap */
    return width > ind ? (size_t)(width - ind) : 1;
}

/* Renders one normalised paragraph p[0..n) (single spaces, no leading or
 * trailing space) as lines ending in '\n'. */
static void para(buf *dst, char *p, size_t n, const out_style *st)
{
    int ind = st->indent > 0 ? st->indent : 0;
    int cont = ind + st->hang > 0 ? ind + st->hang : 0;
    struct wr w = {dst, st, 0, room(st->width, ind), room(st->width, cont),
                   cont, false, 0, 0};
    size_t i = 0;

    pair(p, n);
    spaces(dst, ind);
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != ' ')
            j++;
        word(&w, p + i, j - i);
        i = j + 1;
    }
    /* Pairing closes every span it opens; this only guards that. */
    for (int bit = BOLD; bit <= ITAL; bit <<= 1) {
        if ((w.on & bit) && st->styled)
            buf_puts(dst, sgr_off[bit]);
    }
    buf_putc(dst, '\n');
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ')
            return false;
    }
    return true;
}

void out_render(buf *dst, const char *s, size_t n, const out_style *st)
{
    buf t = BUF_INIT;
    size_t r = 0, ps = 0, w = 0;
    bool sp = false, first = true;

    out_sanitize(&t, s, n);
    /* The write index w never passes the read index, so each paragraph is
     * collapsed into the bytes it came from: no second buffer needed. */
    while (r < t.len) {
        char *d = t.data;
        size_t e = r;
        while (e < t.len && d[e] != '\n')
            e++;
        if (blank(d + r, e - r)) {
            if (w > ps) {
                if (!first)
                    buf_putc(dst, '\n');
                para(dst, d + ps, w - ps, st);
                first = false;
            }
            ps = w = e < t.len ? e + 1 : e;
            sp = false;
        } else {
            for (size_t i = r; i < e; i++) {
                if (d[i] == ' ') {
                    sp = true;
                    continue;
                }
                if (sp && w > ps)
                    d[w++] = ' ';
                sp = false;
                d[w++] = d[i];
            }
            sp = true; /* a single newline joins lines with a space */
        }
        r = e + 1;
    }
    if (w > ps) {
        if (!first)
            buf_putc(dst, '\n');
        para(dst, t.data + ps, w - ps, st);
    }
    buf_free(&t);
}
